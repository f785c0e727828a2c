import type { LiveBus, LiveEvent } from './bus';

/**
 * Proxies, load balancers and idle browsers drop a silent connection after 30–100 s; a comment
 * line every 15 s keeps it open and lets the server notice a dead client.
 */
export const HEARTBEAT_MS = 15_000;
/** How long EventSource waits before reconnecting after the stream ends. */
const RETRY_MS = 2_000;

const enc = new TextEncoder();

/**
 * A debate's live events as a text/event-stream response: one `data:` line per event (JSON
 * {topic}), heartbeat comments, and the bus subscription dropped as soon as the client goes
 * (request aborted or stream cancelled).
 */
export interface StreamOptions {
  heartbeatMs?: number;
  /**
   * Is the reader still allowed to read? Asked on every access event and every heartbeat; a
   * false ends the stream after an `access-revoked` event (a failure to answer does not), so a member
   * removed, a session signed out or a debate made private stops hearing about it at once.
   */
  recheck?: () => Promise<boolean>;
  /** The topic of access changes (recheck at once on it, and on '*'). */
  accessTopic?: string;
}

/** The topic a stream sends as its last event when the reader lost access. */
export const REVOKED_TOPIC = 'access-revoked';

export function liveEventStream(bus: LiveBus, debateId: string, signal: AbortSignal, opts: StreamOptions = {}): Response {
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  let cleanup = () => undefined as void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let done = false;
      const send = (chunk: string) => {
        if (done) return;
        try {
          controller.enqueue(enc.encode(chunk));
        } catch {
          cleanup();
        }
      };
      let checking = false;
      const recheck = () => {
        if (!opts.recheck || checking || done) return;
        checking = true;
        opts.recheck().then(
          (ok) => {
            checking = false;
            if (!ok) revoke();
          },
          (e: unknown) => {
            // Could not tell (the database is down, say): keep streaming and ask again next beat.
            checking = false;
            console.error('[live] could not re-check a stream:', e instanceof Error ? e.message : e);
          },
        );
      };
      const revoke = () => {
        send(`data: ${JSON.stringify({ topic: REVOKED_TOPIC })}\n\n`);
        cleanup();
      };
      const unsubscribe = bus.subscribe(debateId, (e: LiveEvent) => {
        if (e.topic === opts.accessTopic || e.topic === '*') recheck();
        send(`data: ${JSON.stringify({ topic: e.topic })}\n\n`);
      });
      const beat = setInterval(() => {
        send(': heartbeat\n\n');
        recheck();
      }, heartbeatMs);
      cleanup = () => {
        if (done) return;
        done = true;
        clearInterval(beat);
        unsubscribe();
        signal.removeEventListener('abort', cleanup);
        try {
          controller.close();
        } catch {
          // Already closed or errored by the consumer.
        }
      };
      signal.addEventListener('abort', cleanup);
      if (signal.aborted) return cleanup();
      // Sent at once so the response (and EventSource's `open`) does not wait for the first event.
      send(`retry: ${RETRY_MS}\n: connected\n\n`);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform keeps Next's gzip (and proxies) from buffering the stream.
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
