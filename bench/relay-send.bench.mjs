/*
 * The relay loop alone: one small update sent to 500 open WebSockets, three ways, timed as the
 * synchronous loop that makes the last reader wait: `taskset -c 0 node bench/relay-send.bench.mjs`.
 *
 *   ws.send(Uint8Array)       what Room.relay does today (lib0's encoder output)
 *   ws.send(Buffer)           the same bytes as a Buffer: ws skips its per-send view conversion
 *   pre-framed socket.write   the WebSocket frame (header + payload) built once per update and
 *                             written to each socket as one buffer — what uWebSockets' publish and
 *                             Hocuspocus-style brokers do; only valid with permessage-deflate off
 *                             (as Crux's server has it), since ws then never queues frames itself
 *
 * Clients live in this process too (on loopback); between rounds they drain. Median µs per peer.
 */
import { performance } from 'node:perf_hooks';
import { WebSocketServer, WebSocket } from 'ws';

const PEERS = Number(process.env.BENCH_PEERS ?? 500);
const ROUNDS = Number(process.env.BENCH_REPS ?? 200);
const payload = new Uint8Array(64).map((_, i) => i);

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
await new Promise((r) => wss.on('listening', r));
const port = wss.address().port;
const serverSockets = [];
wss.on('connection', (ws) => serverSockets.push(ws));
let received = 0;
const clients = [];
for (let i = 0; i < PEERS; i += 50)
  await Promise.all(
    Array.from(
      { length: Math.min(50, PEERS - i) },
      () =>
        new Promise((resolve, reject) => {
          const c = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
          c.on('open', resolve);
          c.on('error', reject);
          c.on('message', () => received++);
          clients.push(c);
        }),
    ),
  );
while (serverSockets.length < PEERS) await new Promise((r) => setTimeout(r, 10));

/** An unmasked binary frame: FIN + opcode 2, length, payload (payloads < 126 bytes here). */
const preframe = (data) => {
  const f = Buffer.allocUnsafe(2 + data.byteLength);
  f[0] = 0x82;
  f[1] = data.byteLength;
  f.set(data, 2);
  return f;
};
const variants = {
  'ws.send(Uint8Array)': () => {
    for (const ws of serverSockets) if (ws.readyState === WebSocket.OPEN) ws.send(payload);
  },
  'ws.send(Buffer)': () => {
    const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    for (const ws of serverSockets) if (ws.readyState === WebSocket.OPEN) ws.send(b);
  },
  'pre-framed socket.write': () => {
    const f = preframe(payload);
    for (const ws of serverSockets) if (ws.readyState === WebSocket.OPEN) ws._socket.write(f);
  },
};
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
/** Lets the clients read what the last loop sent, so every loop starts with empty socket buffers. */
const drain = async () => {
  await new Promise((r) => setTimeout(r, 3));
};
for (let r = 0; r < ROUNDS; r++)
  for (const [name, fn] of Object.entries(variants)) {
    const t = performance.now();
    fn();
    samples[name].push(((performance.now() - t) * 1000) / PEERS);
    await drain();
  }
const expected = ROUNDS * Object.keys(variants).length * PEERS;
for (let i = 0; i < 200 && received < expected; i++) await new Promise((r) => setTimeout(r, 10));
console.log(`${PEERS} peers, ${ROUNDS} rounds per variant, ${payload.byteLength}-byte update; received ${received} / ${expected} frames`);
for (const [name, xs] of Object.entries(samples)) {
  xs.sort((a, b) => a - b);
  console.log(
    `  ${name.padEnd(26)} ${xs[Math.floor(xs.length / 2)].toFixed(2).padStart(6)} µs / peer (p90 ${xs[Math.floor(xs.length * 0.9)].toFixed(2)})`,
  );
}
for (const c of clients) c.terminate();
wss.close();
