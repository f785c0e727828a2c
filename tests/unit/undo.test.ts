import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addClaim,
  addRelation,
  claimsMap,
  deleteClaims,
  ensureRoots,
  readGraph,
  setClaimText,
  updateClaim,
  validateDoc,
} from '@/lib/model/doc';
import { addComment, commentsMap, ensureCommentRoot, readComments, resolveThread } from '@/lib/model/comment';
import type { ArgumentGraph } from '@/lib/model/graph';
import { LOCAL_ORIGIN, UNDO_CAPTURE_MS, createUndoManager, undoStep, type UndoOutcome } from '@/app/_components/canvas/hooks/useUndo';

/*
 * Per-user undo (app/_components/canvas/hooks/useUndo.ts), table-driven. Two replicas, A and B,
 * exchange updates through Y.applyUpdate with a REMOTE origin; A's edits carry LOCAL_ORIGIN, as
 * the canvas passes it, B's its own origin. Updates queue until the step ends and are then
 * delivered both ways, so a step that edits both replicas is a concurrent edit. After the steps,
 * A undoes; the scenario states what both replicas must then hold: never less of B's work.
 */

const REMOTE = 'remote';
const B_ORIGIN = Object.freeze({ source: 'B' });

interface Pair {
  A: Y.Doc;
  B: Y.Doc;
  a: unknown;
  b: unknown;
  um: Y.UndoManager;
  flush: () => void;
}

function pair(aWinsRaces = false): Pair {
  const A = new Y.Doc();
  const B = new Y.Doc();
  // Of two concurrent sets of one key, the higher clientID wins.
  A.clientID = aWinsRaces ? 20 : 10;
  B.clientID = 15;
  for (const d of [A, B]) {
    ensureRoots(d);
    ensureCommentRoot(d);
  }
  const toA: Uint8Array[] = [];
  const toB: Uint8Array[] = [];
  A.on('update', (u: Uint8Array, origin: unknown) => void (origin !== REMOTE && toB.push(u)));
  B.on('update', (u: Uint8Array, origin: unknown) => void (origin !== REMOTE && toA.push(u)));
  const flush = () => {
    while (toA.length > 0 || toB.length > 0) {
      for (const u of toB.splice(0)) Y.applyUpdate(B, u, REMOTE);
      for (const u of toA.splice(0)) Y.applyUpdate(A, u, REMOTE);
    }
  };
  // captureTimeout 0: each transaction is its own step, independent of how fast the test runs.
  return { A, B, a: LOCAL_ORIGIN, b: B_ORIGIN, um: createUndoManager(A, LOCAL_ORIGIN, 0), flush };
}

type Step = (p: Pair) => void;
const claim =
  (who: 'A' | 'B', id: string, text = id, x = 0): Step =>
  (p) =>
    addClaim(p[who], { id, text, x, y: 0, author: who, now: 1 }, who === 'A' ? p.a : p.b);
const move =
  (who: 'A' | 'B', id: string, x: number): Step =>
  (p) =>
    updateClaim(p[who], id, { x }, who === 'A' ? p.a : p.b, 2);
const text =
  (who: 'A' | 'B', id: string, t: string): Step =>
  (p) =>
    setClaimText(p[who], id, t, who === 'A' ? p.a : p.b, 2);
const relate =
  (who: 'A' | 'B', id: string, from: string, to: string, kind: 'supports' | 'attacks' | 'undercuts' = 'supports'): Step =>
  (p) =>
    void addRelation(p[who], { id, from, to, kind, author: who, now: 1 }, who === 'A' ? p.a : p.b);
const both =
  (...steps: Step[]): Step =>
  (p) =>
    steps.forEach((s) => s(p));

/** true for a step undone, otherwise the refusal's reason. */
type Outcome = true | Exclude<UndoOutcome, { ok: true }>['reason'];

interface Scenario {
  name: string;
  aWinsRaces?: boolean;
  steps: Step[];
  /** How many times A presses undo; default: until nothing is left. */
  undos?: number;
  /** The outcome of each undo press, in order. */
  outcomes?: Outcome[];
  /** Checked on both replicas after the undos. */
  after: (g: ArgumentGraph, doc: Y.Doc) => void;
}

const get = (g: ArgumentGraph, id: string) => g.claims.find((c) => c.id === id);
const ids = (g: ArgumentGraph) => ({ claims: g.claims.map((c) => c.id).sort(), relations: g.relations.map((r) => r.id).sort() });

const scenarios: Scenario[] = [
  {
    name: "B's claim survives A undoing everything",
    steps: [claim('A', 'a'), claim('B', 'b')],
    outcomes: [true],
    after: (g) => expect(ids(g)).toEqual({ claims: ['b'], relations: [] }),
  },
  {
    name: "B's claim made concurrently with A's survives",
    steps: [both(claim('A', 'a'), claim('B', 'b'))],
    after: (g) => expect(ids(g).claims).toEqual(['b']),
  },
  {
    name: "B's text edit inside A's claim survives A undoing A's own edit",
    steps: [claim('A', 'a', 'hello world'), text('A', 'a', 'hello world!'), text('B', 'a', 'hello big world!')],
    undos: 1,
    after: (g) => expect(get(g, 'a')?.text).toBe('hello big world'),
  },
  {
    name: "concurrent edits of one text: A's undo keeps B's insertion",
    steps: [claim('B', 'b', 'cats are nice'), both(text('A', 'b', 'cats are very nice'), text('B', 'b', 'all cats are nice'))],
    after: (g) => expect(get(g, 'b')?.text).toBe('all cats are nice'),
  },
  {
    name: "B's move after A's move stays; A's claim B moved stays too",
    steps: [claim('A', 'a', 'a', 0), move('A', 'a', 10), move('B', 'a', 20)],
    // The move step is a no-op now (B overwrote it), so the press goes on to the creation of 'a',
    // which B has built on.
    outcomes: ['shared', 'empty'],
    after: (g) => expect(get(g, 'a')?.x).toBe(20),
  },
  {
    name: "A moves B's claim, then B moves it: B's position stays",
    steps: [claim('B', 'b', 'b', 0), move('A', 'b', 10), move('B', 'b', 20)],
    outcomes: ['empty'],
    after: (g) => expect(get(g, 'b')?.x).toBe(20),
  },
  {
    name: "concurrent moves that B won: B's position stays",
    steps: [claim('B', 'b', 'b', 0), both(move('A', 'b', 10), move('B', 'b', 20))],
    after: (g) => expect(get(g, 'b')?.x).toBe(20),
  },
  {
    name: 'concurrent moves that A won (yjs#514): the claim keeps its position, never loses it',
    aWinsRaces: true,
    steps: [claim('B', 'b', 'b', 0), both(move('A', 'b', 10), move('B', 'b', 20))],
    after: (g, doc) => {
      expect(claimsMap(doc).get('b')?.get('x')).toBe(10);
      expect(get(g, 'b')?.x).toBe(10);
    },
  },
  {
    name: "A's move of B's claim is undone; B's text edit since stays",
    steps: [claim('B', 'b', 'old', 5), move('A', 'b', 50), text('B', 'b', 'new')],
    after: (g) => expect(get(g, 'b')).toMatchObject({ x: 5, text: 'new' }),
  },
  {
    name: "A's deletion of B's claim is undone with its relation",
    steps: [claim('B', 'b1'), claim('B', 'b2'), relate('B', 'r', 'b1', 'b2'), (p) => deleteClaims(p.A, ['b1'], p.a)],
    after: (g) => expect(ids(g)).toEqual({ claims: ['b1', 'b2'], relations: ['r'] }),
  },
  {
    name: "A's claim that B has since supported is kept, with B's relation",
    steps: [claim('A', 'a'), claim('B', 'b'), relate('B', 'r', 'b', 'a')],
    outcomes: ['shared'],
    after: (g) => expect(ids(g)).toEqual({ claims: ['a', 'b'], relations: ['r'] }),
  },
  {
    name: "A's claim that B has since edited is kept, with B's text",
    steps: [claim('A', 'a', 'draft'), text('B', 'a', 'draft, improved')],
    outcomes: ['shared'],
    after: (g) => expect(get(g, 'a')?.text).toBe('draft, improved'),
  },
  {
    name: "A's claim that B has since moved is kept where B put it",
    steps: [claim('A', 'a', 'a', 0), move('B', 'a', 300)],
    outcomes: ['shared'],
    after: (g) => expect(get(g, 'a')?.x).toBe(300),
  },
  {
    name: "A's claim that B commented on is kept, with the thread",
    steps: [claim('A', 'a'), (p) => void addComment(p.B, { id: 'k', claimId: 'a', author: 'B', text: 'why?', now: 1 }, p.b)],
    outcomes: ['shared'],
    after: (g, doc) => {
      expect(ids(g).claims).toEqual(['a']);
      expect(readComments(doc, 'a').map((t) => t.root.text)).toEqual(['why?']);
    },
  },
  {
    name: 'a refused step is dropped: the next undo reaches the step before it',
    steps: [claim('A', 'early'), claim('A', 'a'), relate('B', 'r', 'a', 'early')],
    // 'a' is protected by B's relation; 'early' too, so the second press is refused as well.
    outcomes: ['shared', 'shared', 'empty'],
    undos: 3,
    after: (g) => expect(ids(g)).toEqual({ claims: ['a', 'early'], relations: ['r'] }),
  },
  {
    name: 'an unrelated older step is still undone after a refused one',
    steps: [claim('A', 'alone'), claim('A', 'a'), claim('B', 'b'), relate('B', 'r', 'b', 'a')],
    outcomes: ['shared', true, 'empty'],
    undos: 3,
    after: (g) => expect(ids(g)).toEqual({ claims: ['a', 'b'], relations: ['r'] }),
  },
  {
    name: "A's relation that B undercut is kept, and so is the claim it starts from",
    steps: [claim('B', 't'), claim('A', 'a'), relate('A', 'r', 'a', 't'), claim('B', 'u'), relate('B', 'ur', 'u', 'r', 'undercuts')],
    outcomes: ['shared', 'shared'],
    after: (g) => expect(ids(g)).toEqual({ claims: ['a', 't', 'u'], relations: ['r', 'ur'] }),
  },
  {
    name: "A's own relation between B's claims is undone; B's claims stay",
    steps: [claim('B', 'b1'), claim('B', 'b2'), relate('A', 'r', 'b1', 'b2', 'attacks')],
    outcomes: [true],
    after: (g) => expect(ids(g)).toEqual({ claims: ['b1', 'b2'], relations: [] }),
  },
  {
    name: "A's resolving of B's thread is undone; B's reply since stays",
    steps: [
      claim('B', 'b'),
      (p) => void addComment(p.B, { id: 'k', claimId: 'b', author: 'B', text: 'q', now: 1 }, p.b),
      (p) => resolveThread(p.A, 'k', p.a),
      (p) => void addComment(p.B, { id: 'k2', parentId: 'k', claimId: 'b', author: 'B', text: 'more', now: 2 }, p.b),
    ],
    after: (_g, doc) => expect(readComments(doc, 'b').map((t) => [t.resolved, t.replies.map((r) => r.text)])).toEqual([[false, ['more']]]),
  },
];

describe("A's undo never takes B's work", () => {
  for (const s of scenarios) {
    it(s.name, () => {
      const p = pair(s.aWinsRaces);
      for (const step of s.steps) {
        step(p);
        p.flush();
      }
      const outcomes: Outcome[] = [];
      for (let i = 0; i < (s.undos ?? 50); i++) {
        const o = undoStep(p.um, 'undo');
        p.flush();
        outcomes.push(o.ok ? true : o.reason);
        if (s.undos === undefined && !o.ok && o.reason === 'empty') break;
      }
      if (s.outcomes) expect(outcomes.slice(0, s.outcomes.length)).toEqual(s.outcomes);
      const gA = readGraph(p.A);
      expect(canonical(readGraph(p.B))).toEqual(canonical(gA));
      for (const doc of [p.A, p.B]) {
        s.after(readGraph(doc), doc);
        expect(validateDoc(doc)).toEqual([]);
      }
    });
  }
});

function canonical(g: ArgumentGraph): ArgumentGraph {
  return {
    claims: [...g.claims].sort((a, b) => a.id.localeCompare(b.id)),
    relations: [...g.relations].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

describe('undo steps', () => {
  it('redo re-applies what undo took back', () => {
    const p = pair();
    claim('A', 'a', 'first')(p);
    text('A', 'a', 'second')(p);
    p.flush();
    expect(undoStep(p.um, 'undo').ok).toBe(true);
    p.flush();
    expect(get(readGraph(p.B), 'a')?.text).toBe('first');
    expect(undoStep(p.um, 'redo').ok).toBe(true);
    p.flush();
    expect(get(readGraph(p.B), 'a')?.text).toBe('second');
  });

  it('a redo that would delete again what B has since built on is refused', () => {
    const p = pair();
    claim('B', 'b')(p);
    p.flush();
    deleteClaims(p.A, ['b'], p.a);
    p.flush();
    undoStep(p.um, 'undo');
    p.flush();
    text('B', 'b', 'b, restored and edited')(p);
    p.flush();
    expect(undoStep(p.um, 'redo')).toEqual({ ok: false, reason: 'shared', ids: ['b'] });
    expect(get(readGraph(p.A), 'b')?.text).toBe('b, restored and edited');
  });

  it("only LOCAL_ORIGIN is tracked: B's edits applied on A, and A's edits without the origin, are not undone", () => {
    const p = pair();
    addClaim(p.A, { id: 'untracked', text: 'x', x: 0, y: 0, author: 'A' });
    claim('B', 'b')(p);
    p.flush();
    expect(p.um.canUndo()).toBe(false);
    expect(undoStep(p.um, 'undo')).toEqual({ ok: false, reason: 'empty' });
  });

  it(`edits less than ${UNDO_CAPTURE_MS} ms apart form one step; stopCapturing splits them`, () => {
    const doc = new Y.Doc();
    ensureRoots(doc);
    ensureCommentRoot(doc);
    const um = createUndoManager(doc);
    addClaim(doc, { id: 'a', text: 'a', x: 0, y: 0, author: 'A' }, LOCAL_ORIGIN);
    updateClaim(doc, 'a', { x: 5 }, LOCAL_ORIGIN);
    um.stopCapturing();
    updateClaim(doc, 'a', { x: 9 }, LOCAL_ORIGIN);
    updateClaim(doc, 'a', { x: 12 }, LOCAL_ORIGIN);
    expect(um.undoStack).toHaveLength(2);
    undoStep(um, 'undo');
    expect(get(readGraph(doc), 'a')?.x).toBe(5);
    undoStep(um, 'undo');
    expect(readGraph(doc).claims).toEqual([]);
  });

  it('tracks the comments root too', () => {
    const p = pair();
    claim('A', 'a')(p);
    p.um.stopCapturing();
    addComment(p.A, { id: 'k', claimId: 'a', author: 'A', text: 'note', now: 1 }, p.a);
    p.flush();
    undoStep(p.um, 'undo');
    p.flush();
    expect(commentsMap(p.B).size).toBe(0);
    expect(get(readGraph(p.B), 'a')).toBeDefined();
  });
});
