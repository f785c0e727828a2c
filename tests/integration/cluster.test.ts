import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { addClaim, addRelation, claimsMap, deleteClaims, readGraph, setClaimText, updateClaim } from '../../lib/model/doc';
import { createPrng } from '../../lib/testing/prng';
import type { CruxServer } from '../../server/app';
import type { LiveEvent } from '../../server/live/bus';
import type { RelayMessage } from '../../server/scale/wire';
import { readProjectedClaims, writeProjection } from '../../server/projection/claims';
import * as votesRoute from '../../app/api/debates/[id]/votes/route';
import {
  ROOT,
  canonicalGraph,
  connectClient,
  createDebateRow,
  createStore,
  joinGuest,
  socketWithHeaders,
  startTestServer,
  storedDoc,
  synced,
  waitFor,
  waitForAsync,
  type TestStore,
} from './harness';

/*
 * Several instances on one Postgres and one Redis ([scale] 6, 8). Each run uses its own channel
 * prefix, so parallel runs on one Redis never hear each other.
 */

const PG = process.env.DATABASE_URL;
const REDIS = process.env.CRUX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `crux-test:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;

type Provider = ReturnType<typeof connectClient>['provider'];
const same = (a: Y.Doc, b: Y.Doc) => JSON.stringify(canonicalGraph(a)) === JSON.stringify(canonicalGraph(b));

describe('REDIS_URL on embedded PGlite', () => {
  it('is refused at startup, naming DATABASE_URL, before anything is opened', async () => {
    // The refusal comes before the database is opened, so the directory is never created.
    const dataDir = path.join(os.tmpdir(), `crux-never-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const store: TestStore = { name: 'pglite', config: () => ({ databaseUrl: undefined, dataDir }), dispose: async () => undefined };
    await expect(startTestServer(store, {}, { redisUrl: REDIS, redisPrefix: PREFIX })).rejects.toThrow(/DATABASE_URL/);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe.skipIf(!PG)('several instances through Redis (needs DATABASE_URL: instances share one Postgres; PGlite is one process)', () => {
  let store: TestStore;
  let a: CruxServer;
  let b: CruxServer;
  /** B drops this many incoming doc messages, as though Redis lost them. */
  let dropOnB = 0;
  const providers: Provider[] = [];
  const client = (server: CruxServer, debateId: string, doc?: Y.Doc) => {
    const c = connectClient(server, debateId, doc);
    providers.push(c.provider);
    return c;
  };
  const roomDoc = async (server: CruxServer, id: string) => (await server.rooms.peek(id)!).doc;
  /** Both relays have subscribed to the debate (a fresh subscription also repairs). */
  const subscribed = async (id: string) => {
    for (const s of [a, b]) await s.relay!.ready(await s.rooms.peek(id)!);
  };
  /** A new debate with one synced client on A and one on B, both relays subscribed. */
  const clientOnEach = async (id: string) => {
    await createDebateRow(a, id);
    const onA = client(a, id);
    const onB = client(b, id);
    await Promise.all([synced(onA.provider), synced(onB.provider)]);
    await subscribed(id);
    return { onA, onB };
  };

  beforeAll(async () => {
    store = await createStore('postgres');
    const scale = { redisUrl: REDIS, redisPrefix: PREFIX };
    // A long repair period: convergence below must come from the relay itself (or a detected
    // gap), not from the background repair. Compaction every 30 updates, on both instances.
    const compaction = { maxUpdates: 30, maxBytes: 1 << 30 };
    b = await startTestServer(
      store,
      {
        compaction,
        relay: {
          repairIntervalMs: 60_000,
          dropIncoming: (m: RelayMessage) => m.kind === 'doc' && dropOnB > 0 && dropOnB-- > 0,
        },
      },
      { ...scale, instanceId: 'B' },
    );
    // Started last, so the route handlers below (which read the process's runtime) run on A.
    a = await startTestServer(store, { compaction, relay: { repairIntervalMs: 60_000 } }, { ...scale, instanceId: 'A' });
  });
  // Each test's clients go when it ends: a stock provider in Node adds a process 'exit' listener,
  // and more than ten at once made Node warn about a listener leak.
  afterEach(() => {
    for (const p of providers.splice(0)) p.destroy();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.dispose();
  });

  it('clients on different instances converge under random concurrent edits; the store agrees; compaction loses nothing', async () => {
    const id = 'cl-converge';
    await createDebateRow(a, id);
    const clients = [client(a, id), client(a, id), client(b, id), client(b, id), client(b, id)];
    await Promise.all(clients.map((c) => synced(c.provider)));
    await subscribed(id);
    const rnd = createPrng(0x5ca1e);
    const ids: string[] = [];
    for (let step = 0; step < 300; step++) {
      const c = rnd.pick(clients);
      const known = [...claimsMap(c.doc).keys()];
      const op = known.length < 4 ? 'add' : rnd.weighted({ add: 4, text: 4, move: 3, relate: 2, remove: 1 });
      if (op === 'add') ids.push(addClaim(c.doc, { text: `claim ${step}`, x: rnd.int(1000), y: rnd.int(1000), author: 'fuzz' }));
      else if (op === 'text') setClaimText(c.doc, rnd.pick(known), `edited at ${step}`);
      else if (op === 'move') updateClaim(c.doc, rnd.pick(known), { x: rnd.int(1000), y: rnd.int(1000) });
      else if (op === 'relate') {
        const from = rnd.pick(known);
        const to = rnd.pick(known.filter((k) => k !== from));
        addRelation(c.doc, { from, to, kind: rnd.bool() ? 'supports' : 'attacks', author: 'fuzz' });
      } else deleteClaims(c.doc, [rnd.pick(known)]);
      if (step % 25 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => clients.every((c) => same(c.doc, clients[0]!.doc)), 30_000, 'every client to converge');
    await waitFor(() => a.writer.pending === 0 && b.writer.pending === 0);
    await a.rooms.settle();
    await b.rooms.settle();
    const ref = clients[0]!.doc;
    expect(readGraph(ref).claims.length).toBeGreaterThan(10);
    expect(same(await roomDoc(a, id), ref)).toBe(true);
    expect(same(await roomDoc(b, id), ref)).toBe(true);
    await waitForAsync(async () => same(await storedDoc(a, id), ref), 10_000, 'the stored document to match');
    // Both instances appended and the log was compacted at least once while they did.
    const snap = await a.db.sql.query<{ updatesFolded: number }>(`SELECT "updatesFolded" FROM "DocSnapshot" WHERE "debateId" = $1`, [id]);
    expect(snap[0]?.updatesFolded ?? 0).toBeGreaterThan(0);
    expect(a.relay!.stats.received).toBeGreaterThan(0);
    expect(b.relay!.stats.received).toBeGreaterThan(0);
    // A fresh load from the store (what a third instance would see) is the same document.
    const late = client(b, id, new Y.Doc());
    await synced(late.provider);
    expect(same(late.doc, ref)).toBe(true);
  });

  it('awareness crosses instances and is withdrawn when its client leaves', async () => {
    const id = 'cl-awareness';
    const { onA, onB } = await clientOnEach(id);
    onA.provider.awareness.setLocalStateField('cursor', { x: 12, y: 34 });
    const clientId = onA.doc.clientID;
    await waitFor(
      () => (onB.provider.awareness.getStates().get(clientId) as { cursor?: { x: number } } | undefined)?.cursor?.x === 12,
      10_000,
      'the cursor on B',
    );
    onA.provider.destroy();
    await waitFor(() => !onB.provider.awareness.getStates().has(clientId), 10_000, 'the cursor to go from B');
  });

  it('a socket on one instance cannot speak for a client id another account owns on the other; the same account can', async () => {
    const id = 'cl-aw-forge';
    await createDebateRow(a, id);
    const alice = await joinGuest(a, 'Alice');
    const mallory = await joinGuest(b, 'Mallory');
    const onA = connectClient(a, id, new Y.Doc(), { cookie: alice.cookie });
    const watchA = client(a, id);
    const watchB = client(b, id);
    providers.push(onA.provider);
    await Promise.all([synced(onA.provider), synced(watchA.provider), synced(watchB.provider)]);
    await subscribed(id);
    const aliceId = onA.doc.clientID;
    const xOn = (w: { provider: Provider }) =>
      (w.provider.awareness.getStates().get(aliceId) as { cursor?: { x: number } } | undefined)?.cursor?.x;
    onA.provider.awareness.setLocalStateField('cursor', { x: 1, y: 1 });
    await waitFor(() => xOn(watchB) === 1, 10_000, "Alice's cursor on B");

    /** A raw socket on `server` sending an awareness update for Alice's client id with a newer clock. */
    const forge = async (server: CruxServer, cookie: string, x: number) => {
      const fake = new Y.Doc();
      fake.clientID = aliceId;
      const aw = new awarenessProtocol.Awareness(fake);
      const clock = (onA.provider.awareness.meta.get(aliceId)?.clock ?? 0) + 50;
      aw.meta.set(aliceId, { clock: clock - 1, lastUpdated: Date.now() });
      aw.setLocalState({ cursor: { x, y: x } });
      const ws = new (socketWithHeaders({ cookie }))(`ws://127.0.0.1:${server.port}/yjs/${id}`);
      await new Promise<void>((resolve) => ws.on('open', () => resolve()));
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 1); // awareness
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(aw, [aliceId]));
      ws.send(encoding.toUint8Array(e));
      aw.destroy();
      return ws;
    };
    const forged = await forge(b, mallory.cookie, 666);
    // Something that crosses after the forged frame would have: a harmless cursor move by a watcher on B.
    watchB.provider.awareness.setLocalStateField('cursor', { x: 5, y: 5 });
    await waitFor(
      () => (watchA.provider.awareness.getStates().get(watchB.doc.clientID) as { cursor?: unknown } | undefined)?.cursor !== undefined,
      10_000,
      "the watcher's cursor on A",
    );
    expect(xOn(watchB)).toBe(1);
    expect(xOn(watchA)).toBe(1);
    forged.close();

    // Alice herself from B (a fail-over whose old socket on A has not timed out yet) may.
    const again = await forge(b, alice.cookie, 7);
    await waitFor(() => xOn(watchA) === 7 && xOn(watchB) === 7, 10_000, 'takeover by the same account across instances');
    again.close();
  });

  it('a vote cast through the API on A reaches a live-event listener on B', async () => {
    const id = 'cl-votes';
    await createDebateRow(a, id);
    const doc = new Y.Doc();
    addClaim(doc, { id: 'T', text: 'Thesis', kind: 'thesis', x: 0, y: 0, author: 'test' });
    addClaim(doc, { id: 'P', text: 'Pro', x: 0, y: 100, author: 'test' });
    addRelation(doc, { id: 'rP', from: 'P', to: 'T', kind: 'supports', author: 'test' });
    await a.db.sql.transaction((tx) => writeProjection(tx, id, readProjectedClaims(doc)));
    await a.db.prisma.docSnapshot.create({ data: { debateId: id, data: new Uint8Array(Y.encodeStateAsUpdate(doc)) } });
    const events: LiveEvent[] = [];
    const off = b.live.subscribe(id, (e) => events.push(e));
    try {
      const voter = await joinGuest(a, 'Voter');
      const origin = 'http://crux.test';
      const res = await votesRoute.PUT(
        new Request(`${origin}/api/debates/${id}/votes`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', origin, cookie: voter.cookie },
          body: JSON.stringify({ targetKind: 'claim', targetId: 'P', value: 4 }),
        }),
        { params: Promise.resolve({ id }) },
      );
      expect(res.status).toBe(200);
      await waitFor(() => events.some((e) => e.topic === 'votes'), 10_000, 'the votes event on B');
    } finally {
      off();
    }
  });

  it('a lost message is noticed at the next one and repaired from the store', async () => {
    const id = 'cl-gap';
    const { onA: writer, onB: reader } = await clientOnEach(id);
    const gapsBefore = b.relay!.stats.gaps;
    dropOnB = 1;
    addClaim(writer.doc, { id: 'lost', text: 'dropped on the way to B', x: 0, y: 0, author: 'a' });
    await waitFor(() => dropOnB === 0, 10_000, 'B to drop the first message');
    await waitForAsync(async () => claimsMap(await storedDoc(a, id)).has('lost'), 10_000, 'the first edit stored');
    expect(claimsMap(reader.doc).has('lost')).toBe(false);
    addClaim(writer.doc, { id: 'next', text: 'arrives, and reveals the gap', x: 0, y: 100, author: 'a' });
    await waitFor(() => claimsMap(reader.doc).has('lost') && claimsMap(reader.doc).has('next'), 10_000, 'B to repair');
    expect(b.relay!.stats.gaps).toBeGreaterThan(gapsBefore);
    expect(same(reader.doc, writer.doc)).toBe(true);
  });

  it('a lost last message (nothing follows to reveal it) is repaired by the periodic repair', async () => {
    const id = 'cl-tail';
    const { onA: writer, onB: reader } = await clientOnEach(id);
    dropOnB = 1;
    addClaim(writer.doc, { id: 'tail', text: 'the last edit, dropped', x: 0, y: 0, author: 'a' });
    await waitFor(() => dropOnB === 0, 10_000, 'B to drop the message');
    await waitForAsync(async () => claimsMap(await storedDoc(a, id)).has('tail'), 10_000, 'the edit stored');
    expect(claimsMap(reader.doc).has('tail')).toBe(false);
    // What the periodic timer runs (its period is 60 s in this suite).
    await b.relay!.repairNow(await b.rooms.peek(id)!);
    await waitFor(() => claimsMap(reader.doc).has('tail'), 10_000, 'the repaired edit on B');
  });

  it("a compaction on one instance steers the other's next compaction: the repair brings the snapshot's size", async () => {
    const id = 'cl-snapshot';
    const { onA: writer, onB: reader } = await clientOnEach(id);
    // Every edit is appended on A, so A counts the log past its threshold (30) and compacts.
    for (let i = 0; i < 40; i++) {
      addClaim(writer.doc, { id: `s${i}`, text: `claim ${i} `.repeat(8), x: i, y: i, author: 'a' });
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(() => claimsMap(reader.doc).size === 40, 10_000, 'B to receive every edit');
    await waitFor(() => a.writer.pending === 0);
    await a.rooms.settle();
    const [stored] = await a.db.sql.query<{ bytes: number; folded: number }>(
      `SELECT length("data")::int AS "bytes", "updatesFolded" AS "folded" FROM "DocSnapshot" WHERE "debateId" = $1`,
      [id],
    );
    expect(stored?.folded ?? 0).toBeGreaterThan(0);
    const roomA = await a.rooms.peek(id)!;
    const roomB = await b.rooms.peek(id)!;
    expect([roomA.snapshotBytes, roomA.snapshotFolded]).toEqual([stored!.bytes, stored!.folded]);
    // B loaded the debate before any snapshot existed and appended nothing itself: only a
    // repair tells it what A wrote.
    await b.relay!.repairNow(roomB);
    expect([roomB.snapshotBytes, roomB.snapshotFolded]).toEqual([stored!.bytes, stored!.folded]);
  });
});

/** One instance in a child process, so that it can be killed outright (SIGKILL). */
function spawnInstance(databaseUrl: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const app = pathToFileURL(path.join(ROOT, 'server', 'app.ts')).href;
  const code = `
    const { startServer } = await import(${JSON.stringify(app)});
    const server = await startServer({
      next: false,
      log: () => undefined,
      relay: { repairIntervalMs: 60000 },
      config: { port: 0, host: '127.0.0.1', dev: false, seed: false, rootDir: ${JSON.stringify(ROOT)}, publicUrl: undefined,
        databaseUrl: ${JSON.stringify(databaseUrl)}, dataDir: '/nonexistent', redisUrl: process.env.T_REDIS,
        redisPrefix: process.env.T_PREFIX, instanceId: 'K' },
    });
    process.stdout.write('READY ' + server.port + '\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`instance exited (${code}) before it was ready: ${err}`)));
  });
}

describe.skipIf(!PG)('an instance killed outright (needs DATABASE_URL)', () => {
  let store: TestStore;
  let b: CruxServer;
  let killed: ChildProcess | undefined;
  const providers: Provider[] = [];

  beforeAll(async () => {
    store = await createStore('postgres');
    b = await startTestServer(store, { relay: { repairIntervalMs: 60_000 } }, { redisUrl: REDIS, redisPrefix: PREFIX, instanceId: 'B2' });
  });
  afterAll(async () => {
    for (const p of providers.splice(0)) p.destroy();
    killed?.kill('SIGKILL');
    await b?.close();
    await store?.dispose();
  });

  it('loses nothing it stored, and its clients carry on through the other instance', async () => {
    const id = 'cl-kill';
    await createDebateRow(b, id);
    const { child, port } = await spawnInstance(store.config().databaseUrl!, { T_REDIS: REDIS, T_PREFIX: PREFIX });
    killed = child;
    // Stand-ins for the killed server in connectClient: only its port is read.
    const k = { port } as CruxServer;
    const onK = connectClient(k, id);
    const onB = connectClient(b, id);
    providers.push(onK.provider, onB.provider);
    await Promise.all([synced(onK.provider), synced(onB.provider)]);
    for (let i = 0; i < 30; i++) addClaim(onK.doc, { id: `k${i}`, text: `from K ${i}`, x: i, y: 0, author: 'k' });
    await waitForAsync(async () => claimsMap(await storedDoc(b, id)).size === 30, 10_000, "K's edits stored");
    // Edits the killed instance may still have been committing or publishing when it died.
    for (let i = 0; i < 20; i++) setClaimText(onK.doc, `k${i}`, `last words ${i}`);
    child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    // What K had committed when it died: B holds all of it after a repair, even what K never
    // got to publish, before any of K's clients come back.
    const acknowledged = await storedDoc(b, id);
    await b.relay!.repairNow(await b.rooms.peek(id)!);
    expect(same((await b.rooms.peek(id))!.doc, acknowledged)).toBe(true);
    await waitFor(() => same(onB.doc, acknowledged), 10_000, "B's client to hold everything stored");
    // The provider would retry K forever; a load balancer sends the reconnect to B instead.
    onK.provider.destroy();
    const moved = connectClient(b, id, onK.doc);
    providers.push(moved.provider);
    await synced(moved.provider);
    await waitFor(() => same(onB.doc, moved.doc), 15_000, 'the moved client and B to converge');
    // The client's edits that K never stored came back with it.
    expect(canonicalGraph(onB.doc).claims.filter((c) => c.text.startsWith('last words')).length).toBe(20);
    await waitForAsync(async () => same(await storedDoc(b, id), onB.doc), 10_000, 'the store to hold the converged document');
  });
});
