import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import * as encoding from 'lib0/encoding';
import { addClaim, addRelation, readGraph, setClaimText, claimsMap } from '../../lib/model/doc';
import { CloseCode, CloseReason, MAX_MESSAGE_BYTES } from '../../lib/protocol';
import type { CruxServer } from '../../server/app';
import type { DocStore } from '../../server/persistence/docStore';
import {
  STORES,
  canonicalGraph,
  connectClient,
  createDebateRow,
  createStore,
  startTestServer,
  storedDoc,
  synced,
  waitFor,
  waitForAsync,
  type TestStore,
} from './harness';

describe.each(STORES)('sync over a real socket (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer | undefined;
  const providers: { destroy(): void }[] = [];

  beforeEach(async () => {
    store = await createStore(storeName);
  });
  afterEach(async () => {
    for (const p of providers.splice(0)) p.destroy();
    await server?.close();
    server = undefined;
    await store.dispose();
  });

  const client = (debateId: string, doc?: Y.Doc) => {
    const c = connectClient(server!, debateId, doc);
    providers.push(c.provider);
    return c;
  };

  it('two stock WebsocketProvider clients converge', async () => {
    server = await startTestServer(store);
    await createDebateRow(server, 'd1');
    const a = client('d1');
    const b = client('d1');
    await Promise.all([synced(a.provider), synced(b.provider)]);
    const t = addClaim(a.doc, { text: 'Thesis', kind: 'thesis', x: 0, y: 0, author: 'a' });
    const c = addClaim(b.doc, { text: 'Reason', x: 0, y: 200, author: 'b' });
    await waitFor(() => claimsMap(a.doc).size === 2 && claimsMap(b.doc).size === 2, 10_000, 'both claims on both clients');
    addRelation(b.doc, { from: c, to: t, kind: 'supports', author: 'b' });
    setClaimText(a.doc, c, 'Reason, sharpened');
    await waitFor(
      () => JSON.stringify(canonicalGraph(a.doc)) === JSON.stringify(canonicalGraph(b.doc)) && readGraph(a.doc).relations.length === 1,
    );
    expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));
    expect(readGraph(a.doc).claims.find((x) => x.id === c)?.text).toBe('Reason, sharpened');
  });

  it('a client joining after a change gets the change (the cached full state is invalidated)', async () => {
    server = await startTestServer(store);
    await createDebateRow(server, 'd8');
    const a = client('d8');
    await synced(a.provider);
    const first = client('d8');
    await synced(first.provider);
    addClaim(a.doc, { id: 'late', text: 'added after the first joins', x: 0, y: 0, author: 'a' });
    await waitFor(() => claimsMap(first.doc).has('late'), 10_000, 'relay to the first joiner');
    const second = client('d8');
    await synced(second.provider);
    expect(claimsMap(second.doc).has('late')).toBe(true);
  });

  it('an update is durable before a second client receives it', async () => {
    // A slow store widens the window in which a relay-before-commit server would be caught.
    const commits: number[] = [];
    const wrap = (s: DocStore): DocStore => ({
      load: (id) => s.load(id),
      compact: (id) => s.compact(id),
      append: async (batch) => {
        await new Promise((r) => setTimeout(r, 150));
        await s.append(batch);
        commits.push(Date.now());
      },
    });
    server = await startTestServer(store, { wrapStore: wrap });
    await createDebateRow(server, 'd2');
    const a = client('d2');
    const b = client('d2');
    await Promise.all([synced(a.provider), synced(b.provider)]);
    const seen: { at: number; rowsAtReceipt: Promise<number> }[] = [];
    b.doc.on('update', (_u: Uint8Array, origin: unknown) => {
      if (origin !== b.provider) return;
      const srv = server!;
      seen.push({
        at: Date.now(),
        rowsAtReceipt: srv.db.sql
          .query<{ n: number }>(`SELECT count(*)::int AS n FROM "DocUpdate" WHERE "debateId" = 'd2'`)
          .then((r) => r[0]!.n),
      });
    });
    for (let i = 0; i < 5; i++) addClaim(a.doc, { text: `claim ${i}`, x: i * 300, y: 0, author: 'a' });
    await waitFor(() => claimsMap(b.doc).size === 5, 10_000, 'b to receive 5 claims');
    expect(seen.length).toBeGreaterThan(0);
    for (const s of seen) {
      expect(await s.rowsAtReceipt).toBeGreaterThan(0);
      expect(commits.some((c) => c <= s.at)).toBe(true);
    }
    const stored = await storedDoc(server, 'd2');
    expect(claimsMap(stored).size).toBe(5);
  });

  it('survives a stop and restart with the document intact', async () => {
    server = await startTestServer(store);
    await createDebateRow(server, 'd3');
    const a = client('d3');
    await synced(a.provider);
    for (let i = 0; i < 20; i++) addClaim(a.doc, { id: `c${i}`, text: `claim ${i}`, x: i, y: i, author: 'a' });
    setClaimText(a.doc, 'c3', 'edited before restart');
    const before = canonicalGraph(a.doc);
    // The server acknowledges nothing; wait until the store holds everything the client sent.
    await waitForAsync(
      async () => JSON.stringify(canonicalGraph(await storedDoc(server!, 'd3'))) === JSON.stringify(before),
      10_000,
      'all edits stored',
    );
    providers.splice(0).forEach((p) => p.destroy());
    await server.close();
    server = await startTestServer(store);
    const b = client('d3');
    await synced(b.provider);
    expect(canonicalGraph(b.doc)).toEqual(before);
  });

  it('compaction under concurrent writes loses nothing', async () => {
    server = await startTestServer(store, { compaction: { maxUpdates: 25, maxBytes: 1 << 30 } });
    await createDebateRow(server, 'd4');
    const writers = [client('d4'), client('d4'), client('d4')];
    await Promise.all(writers.map((w) => synced(w.provider)));
    const N = 120;
    for (let i = 0; i < N; i++) {
      writers.forEach((w, k) => addClaim(w.doc, { id: `w${k}-${i}`, text: `w${k} #${i}`, x: i, y: k, author: `w${k}` }));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => writers.every((w) => claimsMap(w.doc).size === 3 * N), 30_000, 'all writers to converge');
    await waitFor(() => server!.writer.pending === 0);
    await server.rooms.settle();
    expect(server.rooms.stats.compactions).toBeGreaterThan(0);
    const rows = await server.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "DocUpdate" WHERE "debateId" = 'd4'`);
    const snap = await server.db.sql.query<{ updatesFolded: number }>(`SELECT "updatesFolded" FROM "DocSnapshot" WHERE "debateId" = 'd4'`);
    expect(snap[0]!.updatesFolded).toBeGreaterThan(0);
    expect(rows[0]!.n).toBeLessThan(3 * N);
    const stored = await storedDoc(server, 'd4');
    expect(claimsMap(stored).size).toBe(3 * N);
    expect(canonicalGraph(stored)).toEqual(canonicalGraph(writers[0]!.doc));
  });

  it('refuses malformed frames with a named close code and leaves the stored document unchanged', async () => {
    server = await startTestServer(store);
    await createDebateRow(server, 'd5');
    const a = client('d5');
    await synced(a.provider);
    addClaim(a.doc, { id: 'keep', text: 'must survive', x: 0, y: 0, author: 'a' });
    await waitFor(() => server!.writer.stats.updates > 0);
    const before = Y.encodeStateAsUpdate(await storedDoc(server, 'd5'));

    const frame = (build: (e: encoding.Encoder) => void) => {
      const e = encoding.createEncoder();
      build(e);
      return encoding.toUint8Array(e);
    };
    const bogusUpdate = (() => {
      // A well-framed sync update whose payload is not a Yjs update.
      return frame((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint8Array(e, new Uint8Array([200, 1, 2, 3, 255, 255, 255, 255, 15]));
      });
    })();
    const invalidClaim = (() => {
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(a.doc));
      const sv = Y.encodeStateVector(d);
      const m = new Y.Map<unknown>();
      m.set('kind', 'manifesto');
      m.set('text', new Y.Text('x'));
      m.set('x', 0);
      m.set('y', 0);
      claimsMap(d).set('bad', m as never);
      return frame((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(d, sv));
      });
    })();
    const invalidComment = (() => {
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(a.doc));
      const sv = Y.encodeStateVector(d);
      const m = new Y.Map<unknown>();
      m.set('claimId', 'keep');
      m.set('text', 42);
      d.getMap('comments').set('c1', m);
      return frame((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(d, sv));
      });
    })();
    const cases: { name: string; data: Uint8Array | string; code: number }[] = [
      { name: 'comment with a non-string text', data: invalidComment, code: CloseCode.InvalidUpdate },
      { name: 'empty frame', data: new Uint8Array(0), code: CloseCode.MalformedMessage },
      { name: 'truncated varint', data: new Uint8Array([0x80]), code: CloseCode.MalformedMessage },
      { name: 'unknown message type', data: new Uint8Array([42, 0]), code: CloseCode.MalformedMessage },
      {
        name: 'sync with huge declared length',
        data: new Uint8Array([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1]),
        code: CloseCode.MalformedMessage,
      },
      { name: 'unknown sync step', data: new Uint8Array([0, 9, 0]), code: CloseCode.MalformedMessage },
      { name: 'garbage Yjs update', data: bogusUpdate, code: CloseCode.MalformedMessage },
      { name: 'valid Yjs, invalid claim kind', data: invalidClaim, code: CloseCode.InvalidUpdate },
      { name: 'text frame', data: 'hello', code: CloseCode.MalformedMessage },
      { name: 'frame over the size limit', data: new Uint8Array(MAX_MESSAGE_BYTES + 10), code: CloseCode.MessageTooLarge },
      { name: 'garbage awareness', data: new Uint8Array([1, 3, 1, 2, 3]), code: CloseCode.MalformedMessage },
    ];
    for (const c of cases) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/yjs/d5`);
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      await new Promise<void>((resolve, reject) => {
        ws.on('open', () => resolve());
        ws.on('error', reject);
      });
      ws.send(c.data);
      const res = await Promise.race([
        closed,
        new Promise<{ code: number; reason: string }>((r) => setTimeout(() => r({ code: -1, reason: 'no close' }), 5000)),
      ]);
      ws.terminate();
      expect({ name: c.name, code: res.code, reason: res.reason }).toEqual({
        name: c.name,
        code: c.code,
        reason: CloseReason[c.code as CloseCode],
      });
    }
    await waitFor(() => server!.writer.pending === 0);
    const after = Y.encodeStateAsUpdate(await storedDoc(server, 'd5'));
    expect(after).toEqual(before);
    expect(readGraph(await storedDoc(server, 'd5')).claims.map((c) => c.id)).toEqual(['keep']);
    // The well-behaved client was not disturbed.
    expect(a.provider.wsconnected).toBe(true);
  });

  it('refuses the upgrade for an unknown debate with 404', async () => {
    server = await startTestServer(store);
    // A malformed percent-escape must be a 404 too, not an exception in the upgrade handler.
    const bad = new WebSocket(`ws://127.0.0.1:${server.port}/yjs/%E0%A4%A`);
    const badStatus = await new Promise<number>((resolve) => bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(badStatus).toBe(404);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/yjs/nope`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(404);
  });

  it('a failed load refuses the room with load-failed and writes nothing', async () => {
    let fail = true;
    const wrap = (s: DocStore): DocStore => ({
      load: async (id) => {
        if (fail) throw new Error('disk on fire');
        return s.load(id);
      },
      compact: (id) => s.compact(id),
      append: (b) => s.append(b),
    });
    server = await startTestServer(store, { wrapStore: wrap });
    await createDebateRow(server, 'd6');
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/yjs/d6`);
    const res = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(res).toEqual({ code: CloseCode.LoadFailed, reason: 'load-failed' });
    const rows = await server.db.sql.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM "DocUpdate")::int + (SELECT count(*) FROM "DocSnapshot")::int AS n`,
    );
    expect(rows[0]!.n).toBe(0);
    expect(server.rooms.loadedCount).toBe(0);
    fail = false;
    const a = client('d6');
    await synced(a.provider);
  });

  it('unloads a room after its last client leaves, with its writes flushed', async () => {
    server = await startTestServer(store);
    await createDebateRow(server, 'd7');
    const a = client('d7');
    await synced(a.provider);
    addClaim(a.doc, { id: 'x', text: 'x', x: 0, y: 0, author: 'a' });
    await waitFor(() => server!.writer.stats.updates > 0);
    providers.splice(0).forEach((p) => p.destroy());
    await waitFor(() => server!.rooms.loadedCount === 0, 10_000, 'room unload');
    expect(server.rooms.stats.unloads).toBe(1);
    expect(claimsMap(await storedDoc(server, 'd7')).has('x')).toBe(true);
  });
});
