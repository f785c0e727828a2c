import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { CloseCode, CloseReason, MAX_MESSAGE_BYTES } from '../../lib/protocol';
import { claimIdSchema } from '../../lib/model/claim';
import { ProtocolError, type Peer } from '../rooms/room';
import { RoomLoadError, type RoomManager } from '../rooms/manager';
import { SOCKET_BYTES, SOCKET_FRAMES, TokenBucket } from '../access/rateLimit';
import { staticSecurityHeaders } from '../http/security';

export const SYNC_PATH_PREFIX = '/yjs/';

/**
 * Outcome of checking an upgrade: HTTP status to refuse with, or what the peer may do. `watch`
 * hands the admitter the live peer (to tell it, or close it, when its access changes) and
 * returns what to call when the socket closes.
 */
export type Admission =
  | { ok: true; canWrite: () => boolean; label: string; identity?: Peer['identity']; watch?: (peer: Peer) => () => void }
  | { ok: false; status: 401 | 403 | 404 | 503; reason: string };

export type Admit = (req: IncomingMessage, debateId: string) => Promise<Admission>;

export interface SyncServerOptions {
  rooms: RoomManager;
  admit: Admit;
  /** Interval of keep-alive pings; a peer that misses one is dropped. */
  pingIntervalMs?: number;
}

const rawToBytes = (data: RawData): Uint8Array => {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
};

/**
 * The WebSocket frame of a server-to-client binary message (RFC 6455 §5.2): FIN and opcode 2,
 * unmasked, the payload length in 7, 7+16 or 7+64 bits, then the payload.
 */
export function binaryFrame(payload: Uint8Array): Buffer {
  const n = payload.byteLength;
  const head = n < 126 ? 2 : n < 0x10000 ? 4 : 10;
  const f = Buffer.allocUnsafe(head + n);
  f[0] = 0x82;
  if (head === 2) f[1] = n;
  else if (head === 4) {
    f[1] = 126;
    f.writeUInt16BE(n, 2);
  } else {
    f[1] = 127;
    f.writeBigUInt64BE(BigInt(n), 2);
  }
  f.set(payload, head);
  return f;
}

/** Messages at most this large are framed once and written whole to every socket that gets them. */
const PREFRAME_MAX_BYTES = 64 * 1024;

function destroySocket(this: Duplex): void {
  this.destroy();
}

// A refused upgrade is a plain HTTP response written by hand: it gets the same headers as every other.
const REFUSAL_HEADERS = Object.entries({ ...staticSecurityHeaders({ https: false }), 'Content-Security-Policy': "default-src 'none'" })
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('');

function refuse(socket: Duplex, status: number, reason: string): void {
  const text = `${status} ${reason}`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n${REFUSAL_HEADERS}Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/**
 * The /yjs/<debateId> endpoint: the standard y-websocket protocol over `ws`. Frames from one
 * socket are handled strictly in order; frames that arrive while its room is still loading
 * wait in a queue.
 */
export class SyncServer {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly pingTimer: NodeJS.Timeout;
  private accepting = true;
  /**
   * The message sent last and its frame. A relay sends one message to every peer of a room in a
   * row: its frame is built on the second send and written as it is to each further socket,
   * instead of `ws` framing it again per socket (bench/relay-send.bench.mjs: −13 % per peer).
   * Sound only because permessage-deflate is off and nothing here sends Blobs: `ws` then writes
   * every frame to the socket at once and never holds one back, so a frame written to the
   * socket directly cannot overtake or split one of its own.
   */
  private lastMessage: Uint8Array | undefined;
  private lastFrame: Buffer | undefined;

  constructor(private readonly opts: SyncServerOptions) {
    // ws reads frames up to twice our limit so that we can close with our own named code; beyond
    // that ws stops reading and closes with 1009 (Message Too Big) itself.
    // permessage-deflate stays off: the pre-framed relay (send, lastMessage) writes frames to the
    // socket itself, which is only sound while ws never holds a frame back to compress it.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MAX_MESSAGE_BYTES, perMessageDeflate: false });
    const alive = new WeakSet<WebSocket>();
    this.wss.on('connection', (ws: WebSocket) => {
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
    });
    this.pingTimer = setInterval(() => {
      for (const ws of this.sockets) {
        if (!alive.has(ws)) {
          ws.terminate();
          continue;
        }
        alive.delete(ws);
        ws.ping();
      }
    }, opts.pingIntervalMs ?? 30_000);
    this.pingTimer.unref();
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  static matches(url: string | undefined): boolean {
    return typeof url === 'string' && url.startsWith(SYNC_PATH_PREFIX);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A named function, not a closure here: a closure would keep this call's req and head alive
    // for as long as the socket lives.
    socket.on('error', destroySocket);
    if (!this.accepting) return refuse(socket, 503, 'Shutting Down');
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Debate ids are plain [A-Za-z0-9_-]: no escape can make a valid one, so the raw path is
    // checked as it is (decoding a malformed escape would throw inside the upgrade event).
    const debateId = url.pathname.slice(SYNC_PATH_PREFIX.length);
    if (!claimIdSchema.safeParse(debateId).success) return refuse(socket, 404, 'Not Found');
    const wantsStatus = url.searchParams.get('client') === 'crux';
    this.opts.admit(req, debateId).then(
      (adm) => {
        if (!adm.ok) return refuse(socket, adm.status, adm.reason);
        if (!this.accepting) return refuse(socket, 503, 'Shutting Down');
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          this.wss.emit('connection', ws, req);
          this.serve(ws, socket, debateId, adm, wantsStatus);
        });
      },
      (e: unknown) => {
        console.error('[sync] admission failed:', e instanceof Error ? e.message : e);
        refuse(socket, 503, 'Service Unavailable');
      },
    );
  }

  /** Sends `message` on `ws`, whose underlying socket is `socket` (see lastMessage). */
  private send(ws: WebSocket, socket: Duplex, message: Uint8Array): void {
    if (ws.readyState !== ws.OPEN) return;
    if (message !== this.lastMessage || message.byteLength > PREFRAME_MAX_BYTES) {
      this.lastMessage = message;
      this.lastFrame = undefined;
      ws.send(message);
      return;
    }
    socket.write((this.lastFrame ??= binaryFrame(message)));
  }

  private serve(ws: WebSocket, socket: Duplex, debateId: string, adm: Extract<Admission, { ok: true }>, wantsStatus: boolean): void {
    this.sockets.add(ws);
    const { rooms } = this.opts;
    let closed = false;
    const peer: Peer = {
      label: adm.label,
      identity: adm.identity,
      wantsStatus,
      canWrite: adm.canWrite,
      send: (f) => this.send(ws, socket, f),
      close: (code, reason) => {
        if (closed) return;
        closed = true;
        ws.close(code, reason);
      },
    };
    const fail = (code: CloseCode, detail: string) => {
      if (closed) return;
      closed = true;
      // The reason is the stable name; details stay in our log (close reasons are capped at 123 bytes).
      console.warn(`[sync] closing ${adm.label} on ${debateId}: ${CloseReason[code]} (${detail})`);
      ws.close(code, CloseReason[code]);
    };
    const queue: Uint8Array[] = [];
    let room: Awaited<ReturnType<RoomManager['join']>> | undefined;
    // Per connection: a client flooding frames (or bytes) is closed before it costs the room anything.
    const frameBudget = new TokenBucket(SOCKET_FRAMES);
    const byteBudget = new TokenBucket(SOCKET_BYTES);
    const handle = (data: Uint8Array) => {
      if (closed || !room) return;
      if (data.byteLength > MAX_MESSAGE_BYTES) return fail(CloseCode.MessageTooLarge, `${data.byteLength} bytes`);
      if (!frameBudget.take() || !byteBudget.take(data.byteLength)) return fail(CloseCode.RateLimited, 'too many frames');
      try {
        room.receive(peer, data);
      } catch (e) {
        if (e instanceof ProtocolError) return fail(e.code, e.message);
        console.error('[sync] unexpected error handling a frame:', e);
        fail(CloseCode.MalformedMessage, 'unhandled');
      }
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) return fail(CloseCode.MalformedMessage, 'text frame');
      const bytes = rawToBytes(data);
      if (room) handle(bytes);
      else queue.push(bytes);
    });
    ws.on('error', () => undefined);
    const unwatch = adm.watch?.(peer);
    const joined = rooms.join(debateId, peer);
    ws.on('close', () => {
      closed = true;
      unwatch?.();
      this.sockets.delete(ws);
      joined.then((r) => rooms.leave(r, peer)).catch(() => undefined);
    });
    joined.then(
      (r) => {
        room = r;
        if (closed) return;
        for (const b of queue.splice(0)) handle(b);
      },
      (e: unknown) => {
        fail(CloseCode.LoadFailed, e instanceof RoomLoadError ? e.message : String(e));
      },
    );
  }

  /** Refuses new upgrades; existing sockets stay until closeAll. */
  stopAccepting(): void {
    this.accepting = false;
  }

  close(): void {
    clearInterval(this.pingTimer);
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }
}
