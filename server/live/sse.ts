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
export function liveEventStream(bus: LiveBus, debateId: string, signal: AbortSignal, heartbeatMs = HEARTBEAT_MS): Response {
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
      const unsubscribe = bus.subscribe(debateId, (e: LiveEvent) => send(`data: ${JSON.stringify({ topic: e.topic })}\n\n`));
      const beat = setInterval(() => send(': heartbeat\n\n'), heartbeatMs);
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
