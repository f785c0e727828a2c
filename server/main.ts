import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config';
import { startServer } from './app';

process.env.NEXT_TELEMETRY_DISABLED = '1';
const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const config = loadConfig(process.env, rootDir);
  const started = Date.now();
  const server = await startServer({ config });
  const where = config.databaseUrl ? `Postgres ${server.db.location}` : `embedded PGlite in ${server.db.location}`;
  console.log(`Crux is ready at ${server.url} (${where}; started in ${Date.now() - started} ms)`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[crux] ${signal}: closing connections and flushing…`);
    server.close().then(
      () => {
        console.log('[crux] stopped cleanly');
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

main().catch((e: unknown) => {
  console.error('[crux] failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
