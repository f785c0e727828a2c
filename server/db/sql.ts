import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';

/**
 * The narrow SQL surface the document store and the migrator need, over either driver.
 * Prisma serves everything relational; this exists for what Prisma cannot express well:
 * multi-row bytea group commits, advisory locks held on one connection, and scripts.
 */
export interface Sql {
  readonly kind: 'pglite' | 'postgres';
  /**
   * `prepared`: a name for the statement, so that Postgres parses it once per connection
   * instead of on every call (hot paths only; one name, one text). It is still planned on every
   * call (server/db/client.ts sets plan_cache_mode). PGlite ignores it.
   */
  query<T = Record<string, unknown>>(text: string, params?: unknown[], prepared?: string): Promise<T[]>;
  /** Runs a multi-statement script (no parameters). */
  exec(text: string): Promise<void>;
  /** Runs fn in one transaction on one connection; rolls back if fn throws. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (session-level advisory locks need this). */
  session<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
}

export interface SqlTx {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  exec(text: string): Promise<void>;
}

export interface SqlSession extends SqlTx {
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
}

export function pgliteSql(db: PGlite): Sql {
  const tx = (t: Transaction): SqlTx => ({
    query: async <T>(text: string, params?: unknown[]) => (await t.query<T>(text, params)).rows,
    exec: async (text: string) => {
      await t.exec(text);
    },
  });
  // PGlite is one connection, so a session-level advisory lock is re-entrant for every caller in
  // this process; sessions are therefore serialised here instead.
  let sessionTail: Promise<unknown> = Promise.resolve();
  const self: Sql = {
    kind: 'pglite',
    query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    exec: async (text) => {
      await db.exec(text);
    },
    // PGlite's transaction() holds its internal mutex, so Prisma's queries (which go through
    // the same PGlite instance) cannot interleave with ours.
    transaction: (fn) => db.transaction((t) => fn(tx(t))),
    session: <T>(fn: (s: SqlSession) => Promise<T>): Promise<T> => {
      const run = sessionTail.then(() => fn({ query: self.query, exec: self.exec, transaction: self.transaction }));
      sessionTail = run.catch(() => undefined);
      return run;
    },
  };
  return self;
}

export function postgresSql(pool: pg.Pool): Sql {
  const onClient = (client: pg.PoolClient): SqlSession => {
    const q: SqlTx = {
      query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
      exec: async (text: string) => {
        await client.query(text);
      },
    };
    return {
      ...q,
      transaction: async (fn) => {
        await client.query('BEGIN');
        try {
          const out = await fn(q);
          await client.query('COMMIT');
          return out;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      },
    };
  };
  const session = async <T>(fn: (s: SqlSession) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no pool listener: the server going away between two queries would
    // emit an unhandled 'error' and take the process down (the next query reports it instead).
    const onError = (e: Error) => {
      broken = e;
    };
    client.on('error', onError);
    try {
      return await fn(onClient(client));
    } catch (e) {
      broken = e instanceof Error ? e : new Error(String(e));
      throw e;
    } finally {
      client.off('error', onError);
      // A connection that failed mid-session may hold locks or be in a bad state: discard it.
      client.release(broken);
    }
  };
  return {
    kind: 'postgres',
    query: async <T>(text: string, params?: unknown[], prepared?: string) =>
      (await (prepared ? pool.query({ name: prepared, text, values: params }) : pool.query(text, params))).rows as T[],
    exec: async (text) => {
      await pool.query(text);
    },
    transaction: (fn) => session((s) => s.transaction(fn)),
    session,
  };
}
