import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import type { WebsocketProvider } from 'y-websocket';
import { addClaim, claimsMap, setClaimText, validateDoc } from '../../lib/model/doc';
import { MessageType, type StatusMessage } from '../../lib/protocol';
import type { CruxServer } from '../../server/app';
import type { DocStore } from '../../server/persistence/docStore';
import {
  canonicalGraph,
  connectClient,
  createDebateRow,
  createStore,
  startTestServer,
  storedDoc,
  synced,
  waitFor,
  type TestStore,
} from './harness';

/*
 * Database outage ([harden] 2): the store fails mid-session. The server keeps accepting edits in
 * memory, relays none of them while they are unsaved (durability first), tells Crux clients that
 * saving is paused, retries with backoff, and once the store is back flushes, relays and says so.
 * Nothing is lost and nothing is stored twice.
 */

/** A stock provider that also reads Crux's Status frames (it opts in with ?client=crux). */
function statusClient(server: CruxServer, debateId: string) {
  const c = connectClient(server, debateId, new Y.Doc(), { params: { client: 'crux' } });
  const statuses: StatusMessage[] = [];
  (c.provider.messageHandlers as unknown[])[MessageType.Status] = (_enc: unknown, dec: decoding.Decoder) => {
    statuses.push(JSON.parse(decoding.readVarString(dec)) as StatusMessage);
  };
  return { ...c, statuses };
}

const lastSaving = (s: StatusMessage[]) => [...s].reverse().find((m) => m.kind === 'saving');

async function logRows(server: CruxServer, debateId: string): Promise<{ rows: number; distinct: number }> {
  const [r] = await server.db.sql.query<{ rows: number; distinct: number }>(
    'SELECT count(*)::int AS "rows", count(DISTINCT md5("data"))::int AS "distinct" FROM "DocUpdate" WHERE "debateId" = $1',
    [debateId],
  );
  return r!;
}

/**
 * The scenario both stores share: `cut()` takes the store away, `restore()` gives it back.
 * `a` edits during the outage; `b` must see none of it until it is saved.
 */
async function outageScenario(
  server: CruxServer,
  cut: () => void | Promise<void>,
  restore: () => void | Promise<void>,
  providers: WebsocketProvider[],
  /** Admission reads the database: with all of it gone a newcomer is refused (503) until it returns. */
  newcomerDuringOutage: boolean,
) {
  await createDebateRow(server, 'out');
  const a = statusClient(server, 'out');
  const b = statusClient(server, 'out');
  providers.push(a.provider, b.provider);
  await Promise.all([synced(a.provider), synced(b.provider)]);
  const before = addClaim(a.doc, { text: 'saved before the outage', x: 0, y: 0, author: 'a' });
  await waitFor(() => claimsMap(b.doc).has(before), 10_000, 'pre-outage claim at b');

  await cut();
  const during: string[] = [];
  for (let i = 0; i < 5; i++) during.push(addClaim(a.doc, { text: `written during the outage ${i}`, x: i * 300, y: 200, author: 'a' }));
  setClaimText(a.doc, before, 'edited during the outage');
  await waitFor(
    () => lastSaving(a.statuses)?.kind === 'saving' && (lastSaving(a.statuses) as { state: string }).state === 'paused',
    15_000,
    'a told saving is paused',
  );
  await waitFor(() => (lastSaving(b.statuses) as { state?: string } | undefined)?.state === 'paused', 15_000, 'b told saving is paused');
  const room = await server.rooms.peek('out')!;
  // Accepted into memory (queued for the store), not applied to the relayed document, not relayed.
  await waitFor(() => room.inFlightCount >= 6, 10_000, 'updates queued in memory');
  await new Promise((r) => setTimeout(r, 700));
  for (const id of during) {
    expect(claimsMap(b.doc).has(id)).toBe(false);
    expect(claimsMap(room.doc).has(id)).toBe(false);
  }
  expect(claimsMap(b.doc).get(before)?.get('text')?.toString()).toBe('saved before the outage');
  expect(a.provider.wsconnected).toBe(true);
  expect(server.writer.saveState).toBe('paused');
  expect(server.writer.stats.failures).toBeGreaterThan(0);
  // A newcomer during the outage gets only what is saved.
  const late = connectClient(server, 'out');
  providers.push(late.provider);
  if (newcomerDuringOutage) {
    await synced(late.provider);
    for (const id of during) expect(claimsMap(late.doc).has(id)).toBe(false);
  }

  await restore();
  await waitFor(() => during.every((id) => claimsMap(b.doc).has(id)), 30_000, 'b to receive the flushed claims');
  await waitFor(() => (lastSaving(a.statuses) as { state?: string } | undefined)?.state === 'ok', 15_000, 'a told saving resumed');
  await waitFor(() => (lastSaving(b.statuses) as { state?: string } | undefined)?.state === 'ok', 15_000, 'b told saving resumed');
  await waitFor(() => server.writer.pending === 0 && room.inFlightCount === 0, 10_000, 'writer drained');
  expect(server.writer.saveState).toBe('ok');
  expect(claimsMap(b.doc).get(before)?.get('text')?.toString()).toBe('edited during the outage');

  const stored = await storedDoc(server, 'out');
  for (const d of [a.doc, b.doc, late.doc]) {
    await waitFor(() => Y.encodeStateVector(d).toString() === Y.encodeStateVector(stored).toString(), 10_000, 'replica = store');
    expect(canonicalGraph(d)).toEqual(canonicalGraph(stored));
  }
  expect(claimsMap(stored).size).toBe(6);
  expect(validateDoc(stored)).toEqual([]);
  // Every retried batch was written once: no row is a copy of another.
  const { rows, distinct } = await logRows(server, 'out');
  expect(rows).toBe(distinct);
  expect(rows).toBe(server.writer.stats.updates);
}

describe('database outage', () => {
  let store: TestStore | undefined;
  let server: CruxServer | undefined;
  let proxy: { close(): Promise<void> } | undefined;
  const providers: WebsocketProvider[] = [];
  afterEach(async () => {
    for (const p of providers.splice(0)) p.destroy();
    await server?.close();
    server = undefined;
    await proxy?.close();
    proxy = undefined;
    await store?.dispose();
    store = undefined;
  });

  it('PGlite: saves fail for a while; edits wait in memory unrelayed, clients see "paused", then everything flushes once', async () => {
    store = await createStore('pglite');
    let down = false;
    const failing = (s: DocStore): DocStore => ({
      load: (id) => s.load(id),
      compact: (id) => s.compact(id),
      append: async (batch) => {
        if (down) throw new Error('injected: the embedded database is unavailable');
        return s.append(batch);
      },
    });
    server = await startTestServer(store, { wrapStore: failing });
    await outageScenario(
      server,
      () => {
        down = true;
      },
      () => {
        down = false;
      },
      providers,
      true,
    );
  }, 120_000);

  it.runIf(process.env.DATABASE_URL)(
    'Postgres: the connection is cut mid-session (TCP proxy), then comes back',
    async () => {
      store = await createStore('postgres');
      const target = new URL(store.config().databaseUrl!);
      const cutter = await startCuttableProxy(Number(target.port || 5432), target.hostname);
      proxy = cutter;
      const viaProxy = new URL(target);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(cutter.port);
      server = await startTestServer(store, {}, { databaseUrl: viaProxy.toString() });
      await outageScenario(server, cutter.cut, cutter.restore, providers, false);
    },
    120_000,
  );
});

/**
 * A TCP proxy in front of Postgres that can be cut: every open connection is destroyed and new
 * ones are reset at once, as when the database host goes away; restore() lets them through again.
 */
async function startCuttableProxy(targetPort: number, targetHost: string) {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => {
      down = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore: () => {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
