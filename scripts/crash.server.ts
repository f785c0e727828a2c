/*
 * The server the crash harness kills: server/main.ts's process (config from the environment,
 * the same SIGTERM handling) without Next, which the sync path does not need and which would
 * need a build. CRASH_DEBATES (comma-separated ids) get their Debate rows before it listens.
 */
import path from 'node:path';
import { loadConfig } from '../server/config';
import { startServer } from '../server/app';
import { stopOnSignals } from '../server/shutdown';

const rootDir = path.resolve(import.meta.dirname, '..');
const config = loadConfig(process.env, rootDir);
const server = await startServer({ config, next: false, log: () => undefined });
for (const id of (process.env.CRASH_DEBATES ?? '').split(',').filter(Boolean))
  await server.db.sql.query('INSERT INTO "Debate" ("id", "title") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING', [id, `crash ${id}`]);
stopOnSignals(server, () => undefined);
console.log(`crash-server ready on ${server.port} pid ${process.pid}`);
