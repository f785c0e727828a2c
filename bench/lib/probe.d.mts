/** Types for probe.mjs (plain JS so that the reference launchers can import it too). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler names the fields of its own request
export type Handler = (msg: any) => unknown;
export function serveProbe(
  handlers?: Record<string, Handler>,
  window?: { onReset?: () => void; extraStats?: () => Record<string, number> },
): void;
export function ready(info: { port: number; pathPrefix: string; protocol: 'y-websocket' | 'hocuspocus' }): void;
