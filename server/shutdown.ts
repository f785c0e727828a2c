/**
 * SIGTERM / SIGINT: stop accepting, close the sockets, flush every accepted update, close the
 * database, exit 0 (1 if the flush failed). A repeated signal is ignored while stopping, so it
 * cannot interrupt the flush; only SIGKILL can.
 */
export function stopOnSignals(server: { close(): Promise<void> }, log: (msg: string) => void = console.log): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`[crux] ${signal}: closing connections and flushing…`);
    server.close().then(
      () => {
        log('[crux] stopped cleanly');
        process.exit(0);
      },
      (e: unknown) => {
        console.error('[crux] shutdown failed:', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
