import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { WebsocketProvider } from 'y-websocket';
import { addClaim, claimsMap } from '../../lib/model/doc';
import { binaryFrame } from '../../server/transport/sync';
import { canonicalGraph, connectClient, createDebateRow, createStore, startTestServer, synced, waitFor } from './harness';

/*
 * The sync server writes a relayed message's frame, built once, to every socket itself
 * (server/transport/sync.ts). The frame must be byte for byte what `ws` would have sent, and a
 * real client must read it, at each of the three length encodings.
 */
const SIZES = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];
/** ws's own framing (exported by ws, missing from its type declarations). */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};
const payloadOf = (n: number) => new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff);

describe('binaryFrame', () => {
  it.each(SIZES)('matches ws framing for a %i-byte payload', (n) => {
    const payload = payloadOf(n);
    const parts = Sender.frame(Buffer.from(payload), { fin: true, opcode: 2, mask: false, rsv1: false, readOnly: false });
    expect(binaryFrame(payload).equals(Buffer.concat(parts))).toBe(true);
  });

  it('is read by a ws client, between frames ws sends on the same socket', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await once(wss, 'listening');
    try {
      const accepted = once(wss, 'connection');
      const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { perMessageDeflate: false });
      const received: Buffer[] = [];
      client.on('message', (d: Buffer) => received.push(d));
      const [server] = (await accepted) as [WebSocket];
      await once(client, 'open');
      const socket = (server as unknown as { _socket: Socket })._socket;
      for (const n of SIZES) {
        server.send(payloadOf(n + 1));
        socket.write(binaryFrame(payloadOf(n)));
      }
      while (received.length < SIZES.length * 2) await new Promise((r) => setTimeout(r, 5));
      SIZES.forEach((n, i) => {
        expect(received[2 * i]!.equals(Buffer.from(payloadOf(n + 1)))).toBe(true);
        expect(received[2 * i + 1]!.equals(Buffer.from(payloadOf(n)))).toBe(true);
      });
      client.close();
    } finally {
      wss.close();
    }
  });
});

/*
 * Through the sync server: one relay reaches several peers (the frame built on the second send
 * and reused), and an update past PREFRAME_MAX_BYTES goes through ws's own framing. Every reader
 * ends with the writer's document, in order, while one reader leaves halfway.
 */
describe('relay to many peers', () => {
  it('every reader gets every update, small and large, while another reader disconnects', async () => {
    const store = await createStore('pglite');
    const server = await startTestServer(store);
    const providers: WebsocketProvider[] = [];
    try {
      await createDebateRow(server, 'relay-many');
      const clients = Array.from({ length: 5 }, () => connectClient(server, 'relay-many'));
      providers.push(...clients.map((c) => c.provider));
      await Promise.all(providers.map(synced));
      const [writer, leaving, ...readers] = clients;
      addClaim(writer!.doc, { id: 'small', text: 'a small update', x: 0, y: 0, author: 'w' });
      await waitFor(() => readers.every((r) => claimsMap(r.doc).has('small')) && claimsMap(leaving!.doc).has('small'));
      leaving!.provider.disconnect();
      // ~120 KB in one transaction: past PREFRAME_MAX_BYTES.
      writer!.doc.transact(() => {
        for (let i = 0; i < 60; i++) addClaim(writer!.doc, { id: `big-${i}`, text: 'x'.repeat(1900) + i, x: i, y: i, author: 'w' });
      });
      for (let i = 0; i < 20; i++) addClaim(writer!.doc, { id: `after-${i}`, text: `small ${i}`, x: 0, y: 0, author: 'w' });
      const expected = JSON.stringify(canonicalGraph(writer!.doc));
      await waitFor(() => readers.every((r) => JSON.stringify(canonicalGraph(r.doc)) === expected), 15_000, 'readers converge');
      expect(claimsMap(readers[0]!.doc).size).toBe(81);
    } finally {
      for (const p of providers) p.destroy();
      await server.close();
      await store.dispose();
    }
  });
});
