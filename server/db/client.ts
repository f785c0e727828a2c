import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/client';
import { pgliteSql, postgresSql, type Sql } from './sql';

export type { PrismaClient };

export interface Database {
  kind: 'pglite' | 'postgres';
  prisma: PrismaClient;
  sql: Sql;
  /** Where the data lives, for logs: a directory or a redacted connection string. */
  location: string;
  /**
   * LISTENs on a channel until the returned function is called. Postgres needs a connection of
   * its own for this (a pooled one goes back to the pool and stops listening); `onLost` reports
   * that connection dying, after which the caller listens again. PGlite is one in-process
   * connection that never drops.
   */
  listen(channel: string, onPayload: (payload: string) => void, onLost: (err: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DatabaseConfig {
  /** postgres://… selects Postgres; undefined selects embedded PGlite in dataDir. */
  databaseUrl?: string;
  /** PGlite directory; "memory://" keeps it in memory (tests). */
  dataDir: string;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}

/** The one place a Prisma client is made: Postgres when a URL is given, PGlite otherwise. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 10,
      idleTimeoutMillis: 30_000,
      // Named statements (Sql.query's `prepared`) skip parsing but are still planned for their
      // parameters and the table statistics of the moment. Postgres would otherwise switch them
      // to a generic plan after five runs and keep it until the next ANALYZE: made while a table
      // was small, such a plan scanned every vote of a debate for each vote cast. A SET before
      // the connection is first handed out, rather than a startup option, which some connection
      // poolers refuse.
      onConnect: async (client: pg.ClientBase) => {
        await client.query('SET plan_cache_mode = force_custom_plan');
      },
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', (err) => console.error('[db] idle client error:', err.message));
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      kind: 'postgres',
      prisma,
      sql: postgresSql(pool),
      location: redactUrl(config.databaseUrl),
      listen: async (channel, onPayload, onLost) => {
        const client = new pg.Client({ connectionString: config.databaseUrl });
        let ended = false;
        client.on('notification', (n) => {
          if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
        });
        let listening = false;
        const lost = (err: Error) => {
          if (ended) return;
          ended = true;
          client.end().catch(() => undefined);
          // Before LISTEN succeeded the rejection below is the caller's only signal: reporting
          // both made the bus start two reconnect loops per failure, which multiplied while
          // the database was away.
          if (listening) onLost(err);
        };
        client.on('error', lost);
        client.on('end', () => lost(new Error('listen connection closed')));
        try {
          await client.connect();
          await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
          listening = true;
        } catch (e) {
          ended = true;
          await client.end().catch(() => undefined);
          throw e;
        }
        return async () => {
          if (ended) return;
          ended = true;
          await client.end().catch(() => undefined);
        };
      },
      close: async () => {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  let dataDir = config.dataDir;
  if (!dataDir.startsWith('memory://')) {
    dataDir = path.resolve(dataDir);
    // PGlite creates only the last path segment itself.
    await mkdir(path.dirname(dataDir), { recursive: true });
  }
  // Loaded only here: importing PGlite cost ~28 MB of RSS (its WebAssembly build), which a
  // server on Postgres would carry for nothing (bench/RESULTS.md, "RSS at start").
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  const db = await PGlite.create(dataDir);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  return {
    kind: 'pglite',
    prisma,
    sql: pgliteSql(db),
    location: dataDir,
    listen: async (channel, onPayload) => {
      const unlisten = await db.listen(channel, onPayload);
      return () => unlisten();
    },
    close: async () => {
      await prisma.$disconnect();
      await db.close();
    },
  };
}
