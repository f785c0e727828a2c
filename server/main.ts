import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config';
import { startServer } from './app';
import { stopOnSignals } from './shutdown';

process.env.NEXT_TELEMETRY_DISABLED = '1';
const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const config = loadConfig(process.env, rootDir);
  const started = Date.now();
  const server = await startServer({ config });
  const where = config.databaseUrl ? `Postgres ${server.db.location}` : `embedded PGlite in ${server.db.location}`;
  console.log(`Crux is ready at ${server.url} (${where}; started in ${Date.now() - started} ms)`);

  stopOnSignals(server);
}

main().catch((e: unknown) => {
  console.error('[crux] failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
