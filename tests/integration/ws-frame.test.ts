import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { binaryFrame } from '../../server/transport/sync';

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
