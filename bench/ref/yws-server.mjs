/*
 * Reference server 1: @y/websocket-server 0.1.1, documents in memory (no persistence), started
 * the way its README does it: an http server, a noServer WebSocketServer, setupWSConnection per
 * socket, the room named by the URL path. Launched by bench/run.mjs; talks to it over IPC.
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { setupWSConnection, setPersistence, docs } from '@y/websocket-server/utils';
import { serveProbe, ready } from '../lib/probe.mjs';

setPersistence(null);
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', setupWSConnection);
const server = http.createServer((_req, res) => {
  res.writeHead(404);
  res.end();
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

serveProbe({
  // Rooms exist as soon as someone connects; there is nothing to create.
  prepare: () => ({ path: '/' }),
  loaded: ({ room }) => docs.has(room),
  stop: async () => {
    for (const c of wss.clients) c.terminate();
    server.close();
    setTimeout(() => process.exit(0), 50);
    return true;
  },
});

server.listen(0, '127.0.0.1', () => ready({ port: server.address().port, pathPrefix: '/', protocol: 'y-websocket' }));
