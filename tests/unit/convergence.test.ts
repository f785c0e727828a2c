import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addClaim,
  addRelation,
  claimsMap,
  deleteClaims,
  deleteRelations,
  newId,
  readGraph,
  relationsMap,
  setClaimText,
  updateClaim,
  validateDoc,
  type DocViolation,
} from '@/lib/model/doc';
import { CLAIM_KINDS, claimSchema } from '@/lib/model/claim';
import { relationSchema } from '@/lib/model/relation';
import type { ArgumentGraph } from '@/lib/model/graph';
import { Network, type Replica } from '@/lib/testing/network';
import { createPrng, type Prng } from '@/lib/testing/prng';

/*
 * Convergence fuzz (STYLE practice 7): replicas edit one debate at random while a hub relays real
 * sync frames in a random order, with random disconnects; after a final full sync every replica
 * and the server must hold the same document.
 *
 * The hub accepts updates as Crux's room does (Network's `validate`, mirroring
 * server/rooms/room.ts): each update is checked with validateDoc(touchedBy) on a candidate copy;
 * a violation outside REPAIRABLE refuses it and closes the sender's connection; a repairable one
 * (a relation whose endpoint was deleted concurrently, or by an undo that bypasses the cascade) is
 * accepted and the hub deletes the relation in a repair update. Asserted, per seed:
 * - no update is ever refused. A refusal under normal editing locks its sender out, since the
 *   client resends the same state on every reconnect;
 * - every replica equals the server (graph and state vector);
 * - the final document has no violations at all, so readGraph's output passes the zod schemas;
 * - no local operation other than undo/redo makes the acting replica's document less valid.
 *
 * CI runs PINNED_SEEDS plus seeds 1..200. More: `FUZZ_SEEDS=5000 npx vitest run tests/unit/convergence`
 * (FUZZ_SEED_START moves the range). A failing seed names itself in the test title; replay it
 * with `FUZZ_SEED_START=<seed> FUZZ_SEEDS=1`, then add it to PINNED_SEEDS once fixed.
 */

/**
 * Regression seeds, run on every CI run whatever FUZZ_SEEDS says. Each produces a case the hub
 * must accept and repair, or the defaults must cover (checked against this generator); re-pin
 * when the generator changes, since a seed is only meaningful with the generator that found it.
 */
const PINNED_SEEDS: readonly number[] = [
  17, // the hub repairs a relation that has an undercut: without the cascade the undercut dangles
  25, // undos empty claim fields (yjs/yjs#514); redos of deletes leave relations dangling
  214, // a redo leaves a relation dangling
  299, // undos leave other users' relations dangling, for the hub to repair
  326, // a field emptied by yjs/yjs#514 survives into the final state
  341, // a field is emptied only once concurrent updates merge, not on the replica that undid
  462, // several yjs/yjs#514 undos and an undo that leaves a relation dangling, in one run
  760, // yjs/yjs#514 in the final state
];

const DEFAULT_SEED_COUNT = 200;
const seedCount = Number(process.env.FUZZ_SEEDS ?? DEFAULT_SEED_COUNT);
const seedStart = Number(process.env.FUZZ_SEED_START ?? 1);
if (!Number.isInteger(seedCount) || seedCount < 0) throw new Error(`FUZZ_SEEDS must be a count, got ${process.env.FUZZ_SEEDS}`);
if (!Number.isInteger(seedStart)) throw new Error(`FUZZ_SEED_START must be an integer, got ${process.env.FUZZ_SEED_START}`);
const generatedSeeds = Array.from({ length: seedCount }, (_, i) => seedStart + i);

interface Stats {
  runs: number;
  ops: Record<string, number>;
  framesDelivered: number;
  disconnects: number;
  /** Updates the hub refused; any is a failure. */
  refusals: number;
  /** Relations the hub deleted to repair accepted updates, and runs that needed any. */
  repairedRelations: number;
  runsWithRepairs: number;
  /** Claim fields missing in the final state (yjs/yjs#514), valid as readClaim's defaults. */
  finalMissingFields: number;
  /** New defects an undo or redo left on the replica that performed it, before the hub repaired them. */
  defectsFromUndo: Record<string, number>;
}
const stats: Stats = {
  runs: 0,
  ops: {},
  framesDelivered: 0,
  disconnects: 0,
  refusals: 0,
  repairedRelations: 0,
  runsWithRepairs: 0,
  finalMissingFields: 0,
  defectsFromUndo: {},
};

const bump = (rec: Record<string, number>, key: string, by = 1): void => {
  rec[key] = (rec[key] ?? 0) + by;
};

/** Relations whose source claim or target (claim, or relation for undercuts) is missing. */
function danglingRelations(g: ArgumentGraph): Set<string> {
  const claims = new Set(g.claims.map((c) => c.id));
  const rels = new Set(g.relations.map((r) => r.id));
  const out = new Set<string>();
  for (const r of g.relations) {
    const targetOk = r.kind === 'undercuts' ? rels.has(r.to) && r.to !== r.id : claims.has(r.to);
    if (!claims.has(r.from) || !targetOk) out.add(r.id);
  }
  return out;
}

const defectKey = (v: DocViolation): string => `${v.reason}|${v.id ?? ''}|${v.detail}`;
function defects(doc: Y.Doc): Map<string, DocViolation> {
  return new Map(validateDoc(doc).map((v) => [defectKey(v), v]));
}

/** Fields yjs/yjs#514 can remove (the ones updateClaim and setClaimText overwrite). */
const OVERWRITTEN_FIELDS = ['kind', 'x', 'y', 'tags', 'updatedAt'] as const;
function missingFields(doc: Y.Doc): number {
  let n = 0;
  claimsMap(doc).forEach((m) => {
    for (const f of OVERWRITTEN_FIELDS) if (m.get(f) === undefined) n++;
  });
  return n;
}

/** readGraph in a canonical order: map iteration order depends on arrival order, not content. */
function canonicalGraph(doc: Y.Doc): ArgumentGraph {
  const g = readGraph(doc);
  return {
    claims: [...g.claims].sort((a, b) => a.id.localeCompare(b.id)),
    relations: [...g.relations].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

const sortedIds = (m: { keys(): Iterable<string> }): string[] => [...m.keys()].sort();

/** Includes non-BMP emoji, as setClaimText must never split a surrogate pair. */
const WORDS = ['a', 'b', 'ab', 'cd', 'xyz', ' ', 'the ', 'not ', '.', 'é', '😀', '👍🏽', '🇫🇷'];

/**
 * A random edit of `old`: insert, delete or replace a span, as a person typing would. Positions
 * are in code points, because no editor produces a lone surrogate half.
 */
function editText(rng: Prng, old: string): string {
  const word = rng.pick(WORDS) + (rng.bool(0.3) ? rng.pick(WORDS) : '');
  const chars = Array.from(old);
  const at = rng.int(chars.length + 1);
  const kind = chars.length > 120 ? 'delete' : rng.weighted({ insert: 3, delete: 1, replace: 1 });
  const head = chars.slice(0, at).join('');
  if (kind === 'insert') return head + word + chars.slice(at).join('');
  const end = Math.min(chars.length, at + 1 + rng.int(4));
  return head + (kind === 'replace' ? word : '') + chars.slice(end).join('');
}

type OpName =
  | 'addClaim'
  | 'editText'
  | 'move'
  | 'changeKind'
  | 'setTags'
  | 'deleteClaims'
  | 'addRelation'
  | 'addUndercut'
  | 'deleteRelation'
  | 'undo'
  | 'redo';

/** One random local operation on `r`, chosen from what r currently sees. Returns its name. */
function randomOp(rng: Prng, r: Replica, clock: () => number): OpName {
  const doc = r.doc;
  const claimIds = sortedIds(claimsMap(doc));
  const rels = relationsMap(doc);
  const relIds = sortedIds(rels);
  // Biasing toward the first claim makes replicas pick the same one, so concurrent edits of a
  // single claim (and edit-vs-delete races) happen often instead of by luck.
  const pickClaim = (): string => (rng.bool(0.4) ? (claimIds[0] as string) : rng.pick(claimIds));
  const op = rng.weighted<OpName>({
    addClaim: claimIds.length < 3 ? 6 : 2,
    editText: claimIds.length > 0 ? 5 : 0,
    move: claimIds.length > 0 ? 2 : 0,
    changeKind: claimIds.length > 0 ? 1 : 0,
    setTags: claimIds.length > 0 ? 0.5 : 0,
    deleteClaims: claimIds.length > 0 ? 1 : 0,
    addRelation: claimIds.length > 1 ? 3 : 0,
    addUndercut: claimIds.length > 0 && relIds.length > 0 ? 1.5 : 0,
    deleteRelation: relIds.length > 0 ? 1 : 0,
    undo: r.undo.canUndo() ? 2 : 0,
    redo: r.undo.canRedo() ? 2 : 0,
  });
  switch (op) {
    case 'addClaim':
      addClaim(
        doc,
        {
          id: newId(rng.next),
          text: editText(rng, ''),
          kind: rng.pick(CLAIM_KINDS),
          x: rng.range(-500, 500),
          y: rng.range(-500, 500),
          author: r.name,
          now: clock(),
        },
        r.origin,
      );
      break;
    case 'editText': {
      const id = pickClaim();
      const text = claimsMap(doc).get(id)?.get('text');
      setClaimText(doc, id, editText(rng, String(text ?? '')), r.origin, clock());
      break;
    }
    case 'move':
      updateClaim(doc, pickClaim(), { x: rng.range(-500, 500), y: rng.range(-500, 500) }, r.origin, clock());
      break;
    case 'changeKind':
      updateClaim(doc, pickClaim(), { kind: rng.pick(CLAIM_KINDS) }, r.origin, clock());
      break;
    case 'setTags':
      updateClaim(doc, pickClaim(), { tags: rng.bool() ? [] : [rng.pick(['pro', 'con', 'todo'])] }, r.origin, clock());
      break;
    case 'deleteClaims': {
      const ids = [pickClaim()];
      if (claimIds.length > 2 && rng.bool(0.3)) ids.push(rng.pick(claimIds));
      deleteClaims(doc, ids, r.origin);
      break;
    }
    case 'addRelation': {
      const from = rng.pick(claimIds);
      const to = rng.pick(claimIds.filter((id) => id !== from));
      const kind = rng.bool() ? 'supports' : 'attacks';
      addRelation(doc, { id: newId(rng.next), from, to, kind, author: r.name, now: clock() }, r.origin);
      break;
    }
    case 'addUndercut':
      addRelation(
        doc,
        { id: newId(rng.next), from: rng.pick(claimIds), to: rng.pick(relIds), kind: 'undercuts', author: r.name, now: clock() },
        r.origin,
      );
      break;
    case 'deleteRelation':
      deleteRelations(doc, [rng.pick(relIds)], r.origin);
      break;
    case 'undo':
      r.undo.undo();
      break;
    case 'redo':
      r.undo.redo();
      break;
  }
  return op;
}

interface FuzzOptions {
  replicas: number;
  steps: number;
}

function runSeed(seed: number, opts?: Partial<FuzzOptions>): void {
  const rng = createPrng(seed);
  const replicas = opts?.replicas ?? rng.range(2, 4);
  const steps = opts?.steps ?? rng.range(30, 90);
  let time = 1_000;
  const clock = (): number => ++time;
  const net = new Network(replicas, rng, { echoToSender: rng.bool(), validate: true });
  // What each replica did, to name the operations behind a refusal.
  const trace: string[] = [];
  const refusedAt = (): string => `seed ${seed}: the hub refused ${JSON.stringify(net.refusals)} after\n  ${trace.slice(-40).join('\n  ')}`;
  try {
    for (let step = 0; step < steps; step++) {
      const event = rng.weighted({ op: 6, deliver: 3, disconnect: 0.4, reconnect: 0.6 });
      if (event === 'op') {
        const r = net.replica(rng.int(replicas));
        const before = defects(r.doc);
        const op = randomOp(rng, r, clock);
        trace.push(`${step}: ${r.name} ${op}`);
        bump(stats.ops, op);
        const created = [...defects(r.doc)].filter(([k]) => !before.has(k)).map(([, v]) => v);
        if (op === 'undo' || op === 'redo') for (const v of created) bump(stats.defectsFromUndo, v.reason);
        // Every accessor keeps the document valid on the replica that calls it; only merging
        // with concurrent work (or undo, above) may leave a relation dangling for the hub to repair.
        else expect(created, `seed ${seed} step ${step}: ${op} on ${r.name} made the doc invalid`).toEqual([]);
      } else if (event === 'deliver') {
        for (let k = rng.range(1, 6); k > 0; k--) net.deliverRandom(rng);
      } else if (event === 'disconnect') {
        const online = net.replicas.filter((r) => r.connected);
        if (online.length > 0) {
          const r = rng.pick(online);
          net.disconnect(r.index);
          trace.push(`${step}: ${r.name} disconnects`);
          stats.disconnects++;
        }
      } else {
        const offline = net.replicas.filter((r) => !r.connected);
        if (offline.length > 0) {
          const r = rng.pick(offline);
          net.connect(r.index);
          trace.push(`${step}: ${r.name} reconnects`);
        }
      }
      if (net.refusals.length > 0) break;
    }
    if (net.refusals.length === 0) net.fullSync(rng);

    stats.refusals += net.refusals.length;
    expect(net.refusals, refusedAt()).toEqual([]);
    expect(net.errors, `seed ${seed}: errors applying updates`).toEqual([]);
    expect(net.pending()).toBe(0);
    const expected = canonicalGraph(net.server);
    const expectedSv = Y.encodeStateVector(net.server);
    expect(validateDoc(net.server), `seed ${seed}: violations in the final document`).toEqual([]);
    expect(danglingRelations(expected), `seed ${seed}: dangling relations`).toEqual(new Set());
    for (const c of expected.claims) expect(claimSchema.safeParse(c).error, `seed ${seed}: claim ${c.id}`).toBeUndefined();
    for (const rel of expected.relations) expect(relationSchema.safeParse(rel).error, `seed ${seed}: relation ${rel.id}`).toBeUndefined();
    for (const r of net.replicas) {
      expect(canonicalGraph(r.doc), `seed ${seed}: ${r.name} graph differs from the server`).toEqual(expected);
      expect(Y.encodeStateVector(r.doc), `seed ${seed}: ${r.name} state vector differs`).toEqual(expectedSv);
      expect(validateDoc(r.doc), `seed ${seed}: ${r.name} has violations`).toEqual([]);
    }
    stats.runs++;
    stats.framesDelivered += net.deliveredCount();
    stats.repairedRelations += net.repaired.length;
    if (net.repaired.length > 0) stats.runsWithRepairs++;
    stats.finalMissingFields += missingFields(net.server);
  } finally {
    net.destroy();
  }
}

describe('convergence fuzz', () => {
  afterAll(() => {
    // One line per run, so the report shows how much concurrency the seeds actually produced.
    console.info(`[fuzz] ${JSON.stringify(stats)}`);
  });

  it.each(PINNED_SEEDS.map((s) => [s]))('pinned seed %i converges', (seed) => runSeed(seed));

  it.each(generatedSeeds.map((s) => [s]))('seed %i converges', (seed) => runSeed(seed));

  it('a long run with many replicas converges', () => runSeed(424_242, { replicas: 6, steps: 600 }));
});

describe('in-memory network', () => {
  const claimCount = (r: Replica): number => claimsMap(r.doc).size;
  const add = (r: Replica, id: string) => addClaim(r.doc, { id, text: id, x: 0, y: 0, author: r.name, now: 1 }, r.origin);

  it('delivers nothing until the test flushes', () => {
    const rng = createPrng(1);
    const net = new Network(2, rng);
    net.flush(rng);
    add(net.replica(0), 'a');
    expect(net.pending()).toBeGreaterThan(0);
    expect(claimCount(net.replica(1))).toBe(0);
    net.flush(rng);
    expect(claimCount(net.replica(1))).toBe(1);
    net.destroy();
  });

  it('drops frames in flight on disconnect; the reconnect handshake recovers them and offline edits', () => {
    const rng = createPrng(2);
    const net = new Network(2, rng);
    net.flush(rng);
    add(net.replica(0), 'in-flight');
    net.disconnect(0);
    add(net.replica(0), 'offline');
    add(net.replica(1), 'while-away');
    net.flush(rng);
    expect(claimCount(net.replica(1))).toBe(1);
    net.connect(0);
    net.flush(rng);
    for (const r of net.replicas) expect(sortedIds(claimsMap(r.doc))).toEqual(['in-flight', 'offline', 'while-away']);
    expect(net.errors).toEqual([]);
    net.destroy();
  });

  it('replays the same seed identically', () => {
    const run = (seed: number): string => {
      const rng = createPrng(seed);
      const net = new Network(3, rng);
      for (const r of net.replicas) add(r, `${r.name}-${rng.int(1000)}`);
      for (let i = 0; i < 5; i++) net.deliverRandom(rng);
      const snapshot = net.replicas.map((r) => sortedIds(claimsMap(r.doc)).join(',') + `@${r.doc.clientID}`).join(' | ');
      net.destroy();
      return snapshot;
    };
    expect(run(11)).toBe(run(11));
    expect(run(11)).not.toBe(run(12));
  });

  // The fuzz asserts the validating hub never refuses; these show that it does refuse and repair.
  it('validating hub: refuses an invalid update, closes its sender, and the server never sees it', () => {
    const rng = createPrng(3);
    const net = new Network(2, rng, { validate: true });
    net.flush(rng);
    add(net.replica(0), 'ok');
    net.flush(rng);
    const bad = net.replica(1);
    addRelation(bad.doc, { id: 'r', from: 'ok', to: 'never-existed', kind: 'supports', author: 'r1', now: 2 }, bad.origin);
    net.flush(rng);
    expect(net.refusals).toEqual([
      { replica: 'r1', violations: [expect.objectContaining({ reason: 'relation-to-missing-claim', id: 'r' })] },
    ]);
    expect(bad.connected).toBe(false);
    expect(sortedIds(relationsMap(net.server))).toEqual([]);
    // The rest of the room carries on.
    add(net.replica(0), 'after');
    net.flush(rng);
    expect(sortedIds(claimsMap(net.server))).toEqual(['after', 'ok']);
    expect(net.refusals).toHaveLength(1);
    net.destroy();
  });

  it('validating hub: repairs a relation raced by the deletion of its target, undercut included', () => {
    const rng = createPrng(4);
    const net = new Network(2, rng, { validate: true });
    const [A, B] = [net.replica(0), net.replica(1)];
    add(A, 'p');
    add(A, 'q');
    net.flush(rng);
    deleteClaims(A.doc, ['q'], A.origin);
    // One update holding the relation and an undercut of it: only the relation violates, and the
    // repair must take the undercut along.
    B.doc.transact(() => {
      addRelation(B.doc, { id: 'r', from: 'p', to: 'q', kind: 'supports', author: 'r1', now: 2 }, B.origin);
      addRelation(B.doc, { id: 'u', from: 'p', to: 'r', kind: 'undercuts', author: 'r1', now: 2 }, B.origin);
    }, B.origin);
    net.deliver(0, 'toServer');
    net.flush(rng);
    expect(net.refusals).toEqual([]);
    expect(net.repaired).toEqual(['r']);
    for (const doc of [net.server, A.doc, B.doc]) {
      expect(sortedIds(claimsMap(doc))).toEqual(['p']);
      expect(sortedIds(relationsMap(doc))).toEqual([]);
      expect(validateDoc(doc)).toEqual([]);
    }
    net.destroy();
  });
});

/*
 * Per-user undo: each replica's UndoManager tracks only its own origin, so A's undo must revert
 * A's operations and leave B's work alone. Each scenario runs A and B on the in-memory network,
 * syncing fully between steps (the sequential case; the fuzz above covers the concurrent one),
 * then A undoes everything it can and the graph is checked on both replicas.
 */
interface UndoScenario {
  name: string;
  /** Steps in order; the network is flushed after each. */
  steps: ((ctx: { A: Replica; B: Replica }) => void)[];
  /** What must hold on both replicas after A has undone everything. */
  expectAfter: (g: ArgumentGraph) => void;
  /** Set to the bug the scenario exposes; the case then asserts that it still fails. */
  knownBug?: string;
}

const claim = (r: Replica, id: string, text: string, x = 0) => addClaim(r.doc, { id, text, x, y: 0, author: r.name, now: 1 }, r.origin);
const get = (g: ArgumentGraph, id: string) => g.claims.find((c) => c.id === id);

const undoScenarios: UndoScenario[] = [
  {
    name: "A adds a claim, B adds a claim: A's undo removes only A's",
    steps: [({ A }) => claim(A, 'a', 'mine'), ({ B }) => claim(B, 'b', 'theirs')],
    expectAfter: (g) => expect(g.claims.map((c) => c.id)).toEqual(['b']),
  },
  {
    name: "A edits B's claim text, then B edits elsewhere in it: B's edit survives",
    steps: [
      ({ B }) => claim(B, 'b', 'hello world'),
      ({ A }) => setClaimText(A.doc, 'b', 'hello big world', A.origin, 2),
      ({ B }) => setClaimText(B.doc, 'b', 'hello big world!', B.origin, 3),
    ],
    expectAfter: (g) => expect(get(g, 'b')?.text).toBe('hello world!'),
  },
  {
    name: "A and B edit the same claim text concurrently: A's undo keeps B's insertion",
    steps: [
      ({ B }) => claim(B, 'b', 'cats are nice'),
      ({ A, B }) => {
        setClaimText(A.doc, 'b', 'cats are very nice', A.origin, 2);
        setClaimText(B.doc, 'b', 'all cats are nice', B.origin, 2);
      },
    ],
    expectAfter: (g) => expect(get(g, 'b')?.text).toBe('all cats are nice'),
  },
  {
    name: "A moves B's claim, then B moves it: A's undo does not move it back",
    steps: [
      ({ B }) => claim(B, 'b', 'x', 0),
      ({ A }) => updateClaim(A.doc, 'b', { x: 10, y: 10 }, A.origin, 2),
      ({ B }) => updateClaim(B.doc, 'b', { x: 20, y: 20 }, B.origin, 3),
    ],
    expectAfter: (g) => expect(get(g, 'b')).toMatchObject({ x: 20, y: 20 }),
  },
  {
    name: "A moves B's claim, B edits its text: A's undo restores the position and keeps the text",
    steps: [
      ({ B }) => claim(B, 'b', 'old', 5),
      ({ A }) => updateClaim(A.doc, 'b', { x: 50 }, A.origin, 2),
      ({ B }) => setClaimText(B.doc, 'b', 'new', B.origin, 3),
    ],
    expectAfter: (g) => expect(get(g, 'b')).toMatchObject({ x: 5, text: 'new' }),
  },
  {
    name: "A changes the kind of B's claim, B changes its tags: A's undo keeps B's tags",
    steps: [
      ({ B }) => claim(B, 'b', 't'),
      ({ A }) => updateClaim(A.doc, 'b', { kind: 'thesis' }, A.origin, 2),
      ({ B }) => updateClaim(B.doc, 'b', { tags: ['pro'] }, B.origin, 3),
    ],
    expectAfter: (g) => expect(get(g, 'b')).toMatchObject({ kind: 'claim', tags: ['pro'] }),
  },
  {
    name: "A deletes B's claim and its relation, then undoes: both come back intact",
    steps: [
      ({ B }) => {
        claim(B, 'b1', 'premise', 7);
        claim(B, 'b2', 'conclusion');
        addRelation(B.doc, { id: 'rb', from: 'b1', to: 'b2', kind: 'supports', author: 'B', now: 1 }, B.origin);
      },
      ({ A }) => deleteClaims(A.doc, ['b1'], A.origin),
    ],
    expectAfter: (g) => {
      expect(get(g, 'b1')).toMatchObject({ text: 'premise', x: 7 });
      expect(g.relations.map((r) => r.id)).toEqual(['rb']);
    },
  },
  {
    name: "A edits B's claim, B deletes it: A's undo does not resurrect it",
    steps: [
      ({ B }) => claim(B, 'b', 'text'),
      ({ A }) => setClaimText(A.doc, 'b', 'text!', A.origin, 2),
      ({ B }) => deleteClaims(B.doc, ['b'], B.origin),
    ],
    expectAfter: (g) => expect(g.claims).toEqual([]),
  },
  {
    name: "A adds a relation between B's claims, B adds a claim: A's undo removes only the relation",
    steps: [
      ({ B }) => {
        claim(B, 'b1', 'p');
        claim(B, 'b2', 'q');
      },
      ({ A }) => addRelation(A.doc, { id: 'ra', from: 'b1', to: 'b2', kind: 'attacks', author: 'A', now: 2 }, A.origin),
      ({ B }) => claim(B, 'b3', 'r'),
    ],
    expectAfter: (g) => {
      expect(g.claims.map((c) => c.id).sort()).toEqual(['b1', 'b2', 'b3']);
      expect(g.relations).toEqual([]);
    },
  },
  {
    name: 'A adds a claim, B edits its text, A undoes the add: B’s text goes with it',
    knownBug: 'undo of an add deletes the whole claim, including edits others made to it since',
    steps: [({ A }) => claim(A, 'a', 'draft'), ({ B }) => setClaimText(B.doc, 'a', 'draft, improved', B.origin, 2)],
    expectAfter: (g) => expect(get(g, 'a')?.text).toBe('draft, improved'),
  },
  {
    name: 'A adds a claim, B relates to it, A undoes the add: B’s relation dangles',
    knownBug: 'undo of an add bypasses the deleteClaims cascade and removes what B built on it',
    steps: [
      ({ A }) => claim(A, 'a', 'draft'),
      ({ B }) => {
        claim(B, 'b', 'objection');
        addRelation(B.doc, { id: 'rb', from: 'b', to: 'a', kind: 'attacks', author: 'B', now: 2 }, B.origin);
      },
    ],
    expectAfter: (g) => {
      expect(g.relations.map((r) => r.id)).toEqual(['rb']);
      expect(danglingRelations(g)).toEqual(new Set());
    },
  },
  {
    name: 'A adds a relation, B undercuts it, A undoes the add: B’s undercut dangles',
    knownBug: 'undo of an add bypasses the deleteRelations cascade',
    steps: [
      ({ B }) => {
        claim(B, 'b1', 'p');
        claim(B, 'b2', 'q');
      },
      ({ A }) => addRelation(A.doc, { id: 'ra', from: 'b1', to: 'b2', kind: 'supports', author: 'A', now: 2 }, A.origin),
      ({ B }) => addRelation(B.doc, { id: 'ub', from: 'b2', to: 'ra', kind: 'undercuts', author: 'B', now: 3 }, B.origin),
    ],
    expectAfter: (g) => {
      expect(g.relations.map((r) => r.id)).toEqual(['ub']);
      expect(danglingRelations(g)).toEqual(new Set());
    },
  },
];

describe("per-user undo: A's undo never removes B's work", () => {
  for (const s of undoScenarios) {
    // A known bug runs as `it.fails`: it passes while the bug is there and turns red once it is
    // fixed, as the reminder to move the scenario to the expected-to-pass list.
    const test = s.knownBug ? it.fails : it;
    test(s.knownBug ? `${s.name} [known bug: ${s.knownBug}]` : s.name, () => {
      const rng = createPrng(7);
      const net = new Network(2, rng);
      try {
        const A = net.replica(0);
        const B = net.replica(1);
        net.flush(rng);
        for (const step of s.steps) {
          step({ A, B });
          net.flush(rng);
        }
        while (A.undo.canUndo()) {
          A.undo.undo();
          net.flush(rng);
        }
        const g = canonicalGraph(A.doc);
        expect(canonicalGraph(B.doc)).toEqual(g);
        s.expectAfter(g);
      } finally {
        net.destroy();
      }
    });
  }
});
