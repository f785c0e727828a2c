/*
 * Reference server 2: @hocuspocus/server 3.4.4 with @hocuspocus/extension-database storing each
 * document as one bytea row in Postgres (the bench's own database, table "hocus_document"), at
 * Hocuspocus's default debounce (2 s, max 10 s). Launched by bench/run.mjs with the database URL
 * as its argument; talks to it over IPC.
 */
import { readFile } from 'node:fs/promises';
import { Server } from '@hocuspocus/server';
import { Database } from '@hocuspocus/extension-database';
import pg from 'pg';
import { serveProbe, ready } from '../lib/probe.mjs';

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error('usage: hocuspocus-server.mjs <postgres url>');
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
await pool.query('CREATE TABLE IF NOT EXISTS "hocus_document" ("name" text PRIMARY KEY, "data" bytea NOT NULL)');

const server = new Server({
  port: 0,
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: false,
  extensions: [
    new Database({
      fetch: async ({ documentName }) => {
        const r = await pool.query('SELECT "data" FROM "hocus_document" WHERE "name" = $1', [documentName]);
        return r.rows[0]?.data ?? null;
      },
      store: async ({ documentName, state }) => {
        await pool.query(
          'INSERT INTO "hocus_document" ("name", "data") VALUES ($1, $2) ON CONFLICT ("name") DO UPDATE SET "data" = EXCLUDED."data"',
          [documentName, state],
        );
      },
    }),
  ],
});
const hocuspocus = await server.listen();

serveProbe({
  /** Stores a document for a room before anyone opens it (the join-storm's 10,000-claim debate). */
  prepare: async ({ room, snapshotFile }) => {
    if (snapshotFile) {
      const data = await readFile(snapshotFile);
      await pool.query(
        'INSERT INTO "hocus_document" ("name", "data") VALUES ($1, $2) ON CONFLICT ("name") DO UPDATE SET "data" = EXCLUDED."data"',
        [room, data],
      );
    }
    return { path: '/' };
  },
  loaded: ({ room }) => hocuspocus.documents.has(room),
  stop: async () => {
    await server.destroy();
    await pool.end();
    setTimeout(() => process.exit(0), 50);
    return true;
  },
});

ready({ port: server.httpServer.address().port, pathPrefix: '/', protocol: 'hocuspocus' });
