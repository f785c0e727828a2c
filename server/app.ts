import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { openDatabase, type Database } from './db/client';
import { loadMigrations, migrate } from './db/migrate';
import { SqlDocStore, type DocStore } from './persistence/docStore';
import { createMerger } from './persistence/mergeWorker';
import { GroupCommitWriter } from './persistence/writer';
import { RoomManager, DEFAULT_COMPACTION, type CompactionPolicy } from './rooms/manager';
import type { RoomHooks } from './rooms/room';
import { RedisRelay, type RelayOptions } from './scale/relay';
import { SyncServer } from './transport/sync';
import { createAdmit } from './access/admit';
import { stampClientIp } from './access/clientIp';
import { createProjection } from './projection/claims';
import { startLiveBus, type LiveBus } from './live/bus';
import { setRuntime } from './runtime';
import { applySecurityHeaders, dataSecurityHeaders } from './http/security';
import { serveFastApi } from './http/fast';
import { seedAgiDebate } from './services/seed';
import { CloseCode, CloseReason } from '../lib/protocol';
import type { Config } from './config';

export interface CruxServer {
  url: string;
  port: number;
  db: Database;
  rooms: RoomManager;
  writer: GroupCommitWriter;
  sync: SyncServer;
  live: LiveBus;
  /** The cross-instance relay, when config.redisUrl is set. */
  relay?: RedisRelay;
  http: http.Server;
  /** Stop accepting, close sockets, flush persistence, close the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  /** Serve the Next.js app. Integration tests of sync and storage leave it off. */
  next?: boolean;
  compaction?: CompactionPolicy;
  /** Replace the SQL store (fault injection in tests). */
  wrapStore?: (store: DocStore) => DocStore;
  log?: (msg: string) => void;
  /** Relay tuning and fault injection for tests (used only with config.redisUrl). */
  relay?: Pick<RelayOptions, 'repairIntervalMs' | 'dropIncoming'>;
}

type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

/**
 * Builds the whole process: database (migrated, seeded), document rooms, the /yjs sync endpoint
 * and, optionally, Next.js — on one HTTP server. main.ts and the integration tests share it.
 */
export async function startServer(opts: StartOptions): Promise<CruxServer> {
  const { config } = opts;
  const log = opts.log ?? ((m: string) => console.log(m));
  if (config.redisUrl && !config.databaseUrl)
    throw new Error(
      'REDIS_URL is set but DATABASE_URL is not: several instances must share one Postgres (embedded PGlite belongs to one process). Set DATABASE_URL=postgres://… or unset REDIS_URL.',
    );
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
  let httpServer: http.Server | undefined;
  let relay: RedisRelay | undefined;
  try {
    const res = await migrate(db.sql, await loadMigrations(path.join(config.rootDir, 'prisma', 'migrations')));
    if (res.applied.length > 0) log(`[db] applied migrations: ${res.applied.join(', ')}`);
    if (config.seed) {
      const s = await seedAgiDebate(db.prisma, { onlyIfEmpty: true });
      if (s.created) log(`[seed] created the launch debate "${s.debateId}"`);
    }

    // With several instances a debate's log ids must commit in order (see server/scale/relay.ts).
    const merger = createMerger();
    const baseStore = new SqlDocStore(db.sql, { orderedAppends: config.redisUrl !== undefined, merge: (u) => merger.merge(u) });
    const store = opts.wrapStore ? opts.wrapStore(baseStore) : baseStore;
    // Before anything else starts, so that an unreachable Redis fails startup with nothing to undo.
    if (config.redisUrl) {
      relay = await RedisRelay.start({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        instanceId: config.instanceId,
        store: baseStore,
        log,
        ...opts.relay,
      });
      log(`[scale] instance ${relay.instanceId} relaying through Redis`);
    }
    // The writer reports save-state changes to every room; rooms need the writer, so the
    // manager is bound after both exist.
    const roomsRef: { current?: RoomManager } = {};
    const writer = new GroupCommitWriter(store, {
      onStateChange: (state, err) => {
        if (state === 'paused') log(`[persistence] saving paused, retrying: ${err?.message ?? ''}`);
        else log('[persistence] saving resumed');
        roomsRef.current?.broadcastStatus({ kind: 'saving', state, pending: writer.pending });
      },
    });
    const projection = createProjection(db);
    const live = await startLiveBus(db);
    const scale = relay;
    const hooks: RoomHooks = scale
      ? {
          ...projection.hooks,
          onDurableUpdate: (room, update, rowId) => {
            scale.committed(room, update, rowId);
            projection.hooks.onDurableUpdate?.(room, update, rowId);
          },
        }
      : projection.hooks;
    const rooms = new RoomManager(store, writer, opts.compaction ?? DEFAULT_COMPACTION, hooks, relay);
    roomsRef.current = rooms;

    const sync = new SyncServer({ rooms, admit: createAdmit(db) });

    let nextHandler: RequestHandler = (_req, res) => {
      res.statusCode = 404;
      res.end('not found');
    };
    let closeNext: (() => Promise<void>) | undefined;
    if (opts.next !== false) {
      const { default: next } = await import('next');
      const app = next({ dev: config.dev, dir: config.rootDir, hostname: 'localhost', port: config.port });
      await app.prepare();
      const handle = app.getRequestHandler();
      nextHandler = (req, res) => handle(req, res);
      closeNext = () => app.close();
    }

    const security = { https: config.publicUrl?.startsWith('https://') ?? false, dev: config.dev };
    const dataHeaders = dataSecurityHeaders(security);
    httpServer = http.createServer((req, res) => {
      stampClientIp(req, config.trustProxy ?? false);
      if (serveFastApi(req, res, dataHeaders)) return;
      applySecurityHeaders(req, res, security);
      Promise.resolve(nextHandler(req, res)).catch((e: unknown) => {
        console.error('[http] unhandled error:', e);
        if (!res.headersSent) res.statusCode = 500;
        res.end('internal error');
      });
    });
    // Next attaches its own 'upgrade' listener on its first request and ends sockets whose path
    // looks like a page. Routing at emit() means /yjs upgrades never reach any other listener.
    // Node only emits 'upgrade' when a listener exists, hence the one below for everything else.
    const server = httpServer;
    server.on('upgrade', (_req: http.IncomingMessage, socket: Duplex) => {
      // Not /yjs and nobody else (Next's dev HMR) listening: nothing will answer this socket.
      if (server.listenerCount('upgrade') === 1) socket.destroy();
    });
    const emit = server.emit.bind(server) as (event: string, ...args: unknown[]) => boolean;
    server.emit = ((event: string, ...args: unknown[]) => {
      if (event === 'upgrade') {
        const [req, socket, head] = args as [http.IncomingMessage, Duplex, Buffer];
        if (SyncServer.matches(req.url)) {
          sync.handleUpgrade(req, socket, head);
          return true;
        }
      }
      return emit(event, ...args);
    }) as typeof server.emit;

    setRuntime({ config, db, rooms, writer, live });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://localhost:${port}`;

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        sync.stopAccepting();
        server.close();
        server.closeIdleConnections();
        await rooms.closeAll(CloseCode.ShuttingDown, CloseReason[CloseCode.ShuttingDown]);
        // Updates that still cannot be saved after 10 s are given up; their senders still hold them.
        await writer.close(10_000);
        await rooms.settle();
        await merger.close();
        await projection.flush();
        await projection.close();
        await relay?.close();
        await live.close();
        sync.close();
        server.closeAllConnections();
        await closeNext?.().catch(() => undefined);
        setRuntime(undefined);
        await db.close();
      })());
    return { url, port, db, rooms, writer, sync, live, relay, http: server, close };
  } catch (e) {
    httpServer?.close();
    await relay?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw e;
  }
}
