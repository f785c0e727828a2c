import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  addClaim,
  addRelation,
  claimsMap,
  deleteClaims,
  deleteRelations,
  ensureRoots,
  metaMap,
  readGraph,
  relationsMap,
  setClaimText,
  touchedBy,
  updateClaim,
  validateDoc,
  writeGraph,
  type DocViolation,
  type Touched,
  type YClaim,
} from '@/lib/model/doc';
import { MAX_CLAIM_TEXT, MAX_CLAIMS, claimSchema, type Claim } from '@/lib/model/claim';
import { relationSchema, type Relation, type RelationKind } from '@/lib/model/relation';
import type { ArgumentGraph } from '@/lib/model/graph';

/*
 * Table-driven tests for the Y.Doc accessors (STYLE practice 8). Cases that expose a known bug in
 * lib/model/doc.ts run as `it.fails` with the bug named: they pass while the bug is there and turn
 * red once it is fixed, as the reminder to make them ordinary cases.
 */

/** A doc with a fixed clientID: concurrent-insert order depends on it, and tests must not. */
function newDoc(clientID: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  return doc;
}

/** Exchanges the missing updates both ways, as a completed sync would. */
function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

const textOf = (doc: Y.Doc, id: string): string => String(claimsMap(doc).get(id)?.get('text') ?? '');

function canonical(g: ArgumentGraph): ArgumentGraph {
  return {
    claims: [...g.claims].sort((a, b) => a.id.localeCompare(b.id)),
    relations: [...g.relations].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

const claimIds = (doc: Y.Doc): string[] => [...claimsMap(doc).keys()].sort();
const relationIds = (doc: Y.Doc): string[] => [...relationsMap(doc).keys()].sort();

function claimRaw(doc: Y.Doc, id: string): YClaim {
  const c = claimsMap(doc).get(id);
  if (!c) throw new Error(`no claim ${id}`);
  return c;
}

describe('setClaimText', () => {
  interface ConcurrentEdit {
    name: string;
    base: string;
    a: string;
    b: string;
    merged: string;
    knownBug?: string;
  }
  // A has clientID 1 and B 2, so when both insert at one position A's text comes first.
  const cases: ConcurrentEdit[] = [
    {
      name: 'insert in the middle, append at the end',
      base: 'the cat sat',
      a: 'the black cat sat',
      b: 'the cat sat down',
      merged: 'the black cat sat down',
    },
    {
      name: 'replace the first word, append punctuation',
      base: 'cats are nice',
      a: 'dogs are nice',
      b: 'cats are nice!',
      merged: 'dogs are nice!',
    },
    { name: 'delete the start, edit the end', base: 'hello big world', a: 'big world', b: 'hello big world!!', merged: 'big world!!' },
    { name: 'delete a word, insert in another', base: 'one two three', a: 'one three', b: 'one two thr33ee', merged: 'one thr33ee' },
    { name: 'repeated characters', base: 'aaaa', a: 'aaaaa', b: 'baaaa', merged: 'baaaaa' },
    { name: 'both insert at the same position', base: 'ab', a: 'aXb', b: 'aYb', merged: 'aXYb' },
    { name: 'both clear the text', base: 'gone', a: '', b: '', merged: '' },
    { name: 'edits around a non-BMP character', base: 'x😀y', a: 'ax😀y', b: 'x😀yb', merged: 'ax😀yb' },
    {
      name: 'one emoji replaced by another that shares its high surrogate',
      base: 'a😀',
      a: 'a😁',
      b: 'a😀',
      merged: 'a😁',
    },
  ];

  for (const c of cases) {
    const test = c.knownBug ? it.fails : it;
    test(c.knownBug ? `${c.name} [known bug: ${c.knownBug}]` : `concurrent edits survive: ${c.name}`, () => {
      const a = newDoc(1);
      const b = newDoc(2);
      addClaim(a, { id: 'c', text: c.base, x: 0, y: 0, author: 'a', now: 1 });
      sync(a, b);
      setClaimText(a, 'c', c.a, 'A', 2);
      expect(textOf(a, 'c')).toBe(c.a);
      setClaimText(b, 'c', c.b, 'B', 3);
      sync(a, b);
      expect(textOf(a, 'c')).toBe(c.merged);
      expect(textOf(b, 'c')).toBe(c.merged);
    });
  }

  it('edits only the changed span', () => {
    const doc = newDoc(1);
    addClaim(doc, { id: 'c', text: 'the cat sat', x: 0, y: 0, author: 'a', now: 1 });
    const deltas: unknown[] = [];
    (claimRaw(doc, 'c').get('text') as Y.Text).observe((e) => deltas.push(e.delta));
    setClaimText(doc, 'c', 'the dog sat', null, 2);
    expect(deltas).toEqual([[{ retain: 4 }, { delete: 3 }, { insert: 'dog' }]]);
  });

  it('sets updatedAt, and is a no-op (no update at all) when the text is unchanged or the claim is missing', () => {
    const doc = newDoc(1);
    addClaim(doc, { id: 'c', text: 'same', x: 0, y: 0, author: 'a', now: 1 });
    let updates = 0;
    doc.on('update', () => updates++);
    setClaimText(doc, 'c', 'same', null, 5);
    setClaimText(doc, 'missing', 'x', null, 5);
    expect(updates).toBe(0);
    setClaimText(doc, 'c', 'same!', null, 7);
    expect(updates).toBe(1);
    expect(readGraph(doc).claims[0]).toMatchObject({ text: 'same!', updatedAt: 7 });
  });
});

/*
 * The fixture for the cascade tests: c1 supports c2, c3 attacks c2, c3 supports c4; c4 undercuts
 * r1 (c1→c2) and c3 undercuts that undercut.
 */
const RELATIONS: readonly { id: string; from: string; to: string; kind: RelationKind }[] = [
  { id: 'r1', from: 'c1', to: 'c2', kind: 'supports' },
  { id: 'r2', from: 'c3', to: 'c2', kind: 'attacks' },
  { id: 'r3', from: 'c3', to: 'c4', kind: 'supports' },
  { id: 'u1', from: 'c4', to: 'r1', kind: 'undercuts' },
  { id: 'u2', from: 'c3', to: 'u1', kind: 'undercuts' },
];

function fixture(): Y.Doc {
  const doc = newDoc(1);
  writeGraph(doc, {
    claims: ['c1', 'c2', 'c3', 'c4'].map((id) => ({
      id,
      text: id,
      kind: 'claim',
      x: 0,
      y: 0,
      author: 'a',
      tags: [],
      createdAt: 1,
      updatedAt: 1,
    })),
    relations: RELATIONS.map((r) => ({ ...r, group: '', author: 'a', createdAt: 1 })),
  });
  return doc;
}

describe('deleteClaims', () => {
  const cases: { name: string; del: string[]; claims: string[]; relations: string[] }[] = [
    {
      name: 'a premise: its relation, the undercut of it and the undercut of that',
      del: ['c1'],
      claims: ['c2', 'c3', 'c4'],
      relations: ['r2', 'r3'],
    },
    { name: 'a conclusion: both relations into it and the undercut chain', del: ['c2'], claims: ['c1', 'c3', 'c4'], relations: ['r3'] },
    {
      name: 'the source of an undercut: the undercut and what undercuts it',
      del: ['c4'],
      claims: ['c1', 'c2', 'c3'],
      relations: ['r1', 'r2'],
    },
    { name: 'a claim with three outgoing relations', del: ['c3'], claims: ['c1', 'c2', 'c4'], relations: ['r1', 'u1'] },
    { name: 'two claims at once', del: ['c1', 'c3'], claims: ['c2', 'c4'], relations: [] },
    { name: 'nothing', del: [], claims: ['c1', 'c2', 'c3', 'c4'], relations: ['r1', 'r2', 'r3', 'u1', 'u2'] },
    { name: 'an unknown id', del: ['nope'], claims: ['c1', 'c2', 'c3', 'c4'], relations: ['r1', 'r2', 'r3', 'u1', 'u2'] },
  ];
  for (const c of cases) {
    it(`cascades when deleting ${c.name}`, () => {
      const doc = fixture();
      deleteClaims(doc, c.del);
      expect(claimIds(doc)).toEqual(c.claims);
      expect(relationIds(doc)).toEqual(c.relations);
      expect(validateDoc(doc)).toEqual([]);
    });
  }

  it('deletes in one transaction, so one undo step restores claim and relations', () => {
    const doc = fixture();
    const um = new Y.UndoManager([claimsMap(doc), relationsMap(doc)], { trackedOrigins: new Set(['me']) });
    deleteClaims(doc, ['c1'], 'me');
    um.undo();
    expect(claimIds(doc)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(relationIds(doc)).toEqual(['r1', 'r2', 'r3', 'u1', 'u2']);
  });
});

describe('deleteRelations', () => {
  const cases: { name: string; del: string[]; relations: string[] }[] = [
    { name: 'a relation: its undercut and the undercut of that go too', del: ['r1'], relations: ['r2', 'r3'] },
    { name: 'an undercut: the undercut of it goes too', del: ['u1'], relations: ['r1', 'r2', 'r3'] },
    { name: 'a relation nobody undercuts', del: ['r2'], relations: ['r1', 'r3', 'u1', 'u2'] },
    { name: 'the last undercut in a chain', del: ['u2'], relations: ['r1', 'r2', 'r3', 'u1'] },
    { name: 'an unknown id', del: ['nope'], relations: ['r1', 'r2', 'r3', 'u1', 'u2'] },
  ];
  for (const c of cases) {
    it(`cascades when deleting ${c.name}`, () => {
      const doc = fixture();
      deleteRelations(doc, c.del);
      expect(claimIds(doc)).toEqual(['c1', 'c2', 'c3', 'c4']);
      expect(relationIds(doc)).toEqual(c.relations);
      expect(validateDoc(doc)).toEqual([]);
    });
  }

  /*
   * deleteRelations makes one pass over the map and relies on meeting an undercut before the
   * undercut of it. Map order is arrival order, so on a replica that received the chain in one
   * merged update, ordered by clientID, the second-level undercut is met first and survives.
   */
  it('cascades through an undercut chain whatever the map order', () => {
    const x = newDoc(1);
    const y = newDoc(2);
    addClaim(x, { id: 'a', text: 'a', x: 0, y: 0, author: 'x', now: 1 });
    addClaim(x, { id: 'b', text: 'b', x: 0, y: 0, author: 'x', now: 1 });
    addRelation(x, { id: 'r1', from: 'a', to: 'b', kind: 'supports', author: 'x', now: 1 });
    addRelation(x, { id: 'u1', from: 'a', to: 'r1', kind: 'undercuts', author: 'x', now: 1 });
    sync(x, y);
    addRelation(y, { id: 'u2', from: 'b', to: 'u1', kind: 'undercuts', author: 'y', now: 2 });
    const z = newDoc(3);
    Y.applyUpdate(z, Y.mergeUpdates([Y.encodeStateAsUpdate(x), Y.encodeStateAsUpdate(y)]));
    deleteRelations(z, ['r1']);
    expect(relationIds(z)).toEqual([]);
    expect(validateDoc(z)).toEqual([]);
  });
});

describe('updateClaim', () => {
  it('sets only the given fields and updatedAt; ignores a missing claim', () => {
    const doc = newDoc(1);
    addClaim(doc, { id: 'c', text: 't', x: 1, y: 2, author: 'a', tags: ['pro'], now: 1 });
    updateClaim(doc, 'c', { x: 10, kind: 'thesis', y: undefined }, null, 9);
    updateClaim(doc, 'missing', { x: 5 }, null, 9);
    expect(readGraph(doc).claims).toEqual([
      { id: 'c', text: 't', kind: 'thesis', x: 10, y: 2, author: 'a', tags: ['pro'], createdAt: 1, updatedAt: 9 },
    ]);
  });
});

describe('readGraph / writeGraph', () => {
  const claim = (id: string, over: Partial<Claim> = {}): Claim => ({
    id,
    text: `text of ${id}`,
    kind: 'claim',
    x: 0,
    y: 0,
    author: 'alice',
    tags: [],
    createdAt: 100,
    updatedAt: 100,
    ...over,
  });
  const rel = (id: string, from: string, to: string, kind: RelationKind, over: Partial<Relation> = {}): Relation => ({
    id,
    from,
    to,
    kind,
    group: '',
    author: 'bob',
    createdAt: 200,
    ...over,
  });
  const cases: { name: string; graph: ArgumentGraph; knownBug?: string }[] = [
    { name: 'an empty graph', graph: { claims: [], relations: [] } },
    { name: 'one claim with tags', graph: { claims: [claim('c1', { tags: ['pro', 'todo'], kind: 'thesis' })], relations: [] } },
    {
      name: 'every kind, unicode text, fractional and negative positions, co-premise groups',
      graph: {
        claims: [
          claim('t', { kind: 'thesis', text: 'Cities should ban cars 🚗🚫', x: -120.5, y: 33.25 }),
          claim('q', { kind: 'question', text: '¿Qué pasa con los repartos?', x: 1e6, y: -1e-3 }),
          claim('p1', { text: '', author: '' }),
          claim('p2', { text: 'line one\nline two', tags: ['évidence'] }),
        ],
        relations: [
          rel('s1', 'p1', 't', 'supports', { group: 'g1' }),
          rel('s2', 'p2', 't', 'supports', { group: 'g1' }),
          rel('a1', 'q', 't', 'attacks'),
          rel('u1', 'p2', 's1', 'undercuts'),
        ],
      },
    },
    { name: 'a claim edited after it was created', graph: { claims: [claim('c1', { createdAt: 100, updatedAt: 250 })], relations: [] } },
  ];
  for (const c of cases) {
    const test = c.knownBug ? it.fails : it;
    test(c.knownBug ? `round-trips ${c.name} [known bug: ${c.knownBug}]` : `round-trips ${c.name}, also through a sync`, () => {
      const doc = newDoc(1);
      writeGraph(doc, c.graph);
      expect(canonical(readGraph(doc))).toEqual(canonical(c.graph));
      expect(validateDoc(doc)).toEqual([]);
      const copy = newDoc(2);
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
      expect(canonical(readGraph(copy))).toEqual(canonical(c.graph));
    });
  }

  it('writes the whole graph in one transaction and sets the schema version', () => {
    const doc = newDoc(1);
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    writeGraph(doc, cases[2]?.graph ?? { claims: [], relations: [] });
    expect(transactions).toBe(1);
    expect(metaMap(doc).get('schemaVersion')).toBe(1);
  });
});

/** A valid doc to break: claims c1, c2; r1 supports c1→c2; u1 undercuts r1 from c2. */
function validDoc(): Y.Doc {
  const doc = newDoc(1);
  writeGraph(doc, {
    claims: ['c1', 'c2'].map((id) => ({ id, text: id, kind: 'claim', x: 0, y: 0, author: 'a', tags: [], createdAt: 1, updatedAt: 1 })),
    relations: [
      { id: 'r1', from: 'c1', to: 'c2', kind: 'supports', group: '', author: 'a', createdAt: 1 },
      { id: 'u1', from: 'c2', to: 'r1', kind: 'undercuts', group: '', author: 'a', createdAt: 1 },
    ],
  });
  return doc;
}

const rel = (doc: Y.Doc, id: string): Y.Map<unknown> => {
  const r = relationsMap(doc).get(id);
  if (!r) throw new Error(`no relation ${id}`);
  return r;
};

function rawRelation(doc: Y.Doc, id: string, fields: Record<string, unknown>): void {
  const m = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(fields)) m.set(k, v);
  relationsMap(doc).set(id, m);
}

interface ViolationCase {
  name: string;
  /** Breaks the valid doc with raw Y operations, as a hostile or buggy client could. */
  breakIt: (doc: Y.Doc) => void;
  /** The violations expected, in order; [] for a boundary case that must pass. */
  expected: Pick<DocViolation, 'reason' | 'id'>[];
}

const violationCases: ViolationCase[] = [
  {
    name: 'unknown claim kind',
    breakIt: (d) => claimRaw(d, 'c1').set('kind', 'opinion'),
    expected: [{ reason: 'unknown-claim-kind', id: 'c1' }],
  },
  { name: 'claim kind null', breakIt: (d) => claimRaw(d, 'c1').set('kind', null), expected: [{ reason: 'unknown-claim-kind', id: 'c1' }] },
  {
    name: 'text over the limit',
    breakIt: (d) => (claimRaw(d, 'c1').get('text') as Y.Text).insert(0, 'x'.repeat(MAX_CLAIM_TEXT - 1)),
    expected: [{ reason: 'claim-text-too-long', id: 'c1' }],
  },
  {
    name: 'text exactly at the limit (boundary, valid)',
    breakIt: (d) => (claimRaw(d, 'c1').get('text') as Y.Text).insert(0, 'x'.repeat(MAX_CLAIM_TEXT - 2)),
    expected: [],
  },
  {
    name: 'text as a plain string',
    breakIt: (d) => claimRaw(d, 'c1').set('text', 'plain'),
    expected: [{ reason: 'claim-field-invalid', id: 'c1' }],
  },
  { name: 'x is NaN', breakIt: (d) => claimRaw(d, 'c1').set('x', NaN), expected: [{ reason: 'non-finite-position', id: 'c1' }] },
  { name: 'y is Infinity', breakIt: (d) => claimRaw(d, 'c2').set('y', Infinity), expected: [{ reason: 'non-finite-position', id: 'c2' }] },
  {
    name: 'x is a numeric string',
    breakIt: (d) => claimRaw(d, 'c1').set('x', '5'),
    expected: [{ reason: 'non-finite-position', id: 'c1' }],
  },
  {
    name: 'x and y null',
    breakIt: (d) => {
      claimRaw(d, 'c1').set('x', null);
      claimRaw(d, 'c1').set('y', null);
    },
    expected: [
      { reason: 'non-finite-position', id: 'c1' },
      { reason: 'non-finite-position', id: 'c1' },
    ],
  },
  // Missing fields read as readClaim's defaults: see "Missing fields" in lib/model/doc.ts.
  ...(['kind', 'x', 'y', 'author', 'tags', 'createdAt', 'updatedAt'] as const).map((field): ViolationCase => ({
    name: `claim ${field} missing (reads as the default)`,
    breakIt: (d) => claimRaw(d, 'c1').delete(field),
    expected: [],
  })),
  {
    name: 'claim text missing (no default: text is never overwritten, so no race removes it)',
    breakIt: (d) => claimRaw(d, 'c1').delete('text'),
    expected: [{ reason: 'claim-field-invalid', id: 'c1' }],
  },
  {
    name: 'createdAt not a number',
    breakIt: (d) => claimRaw(d, 'c1').set('createdAt', '1'),
    expected: [{ reason: 'claim-field-invalid', id: 'c1' }],
  },
  {
    name: 'updatedAt NaN',
    breakIt: (d) => claimRaw(d, 'c2').set('updatedAt', NaN),
    expected: [{ reason: 'claim-field-invalid', id: 'c2' }],
  },
  { name: 'tags null', breakIt: (d) => claimRaw(d, 'c1').set('tags', null), expected: [{ reason: 'claim-field-invalid', id: 'c1' }] },
  {
    name: 'an empty tag',
    breakIt: (d) => claimRaw(d, 'c1').set('tags', ['ok', '']),
    expected: [{ reason: 'claim-field-invalid', id: 'c1' }],
  },
  {
    name: 'twenty tags of forty characters (boundary, valid)',
    breakIt: (d) =>
      claimRaw(d, 'c1').set(
        'tags',
        Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(40, 'x')),
      ),
    expected: [],
  },
  { name: 'author of 200 characters (boundary, valid)', breakIt: (d) => claimRaw(d, 'c1').set('author', 'x'.repeat(200)), expected: [] },
  {
    name: 'a claim id outside [A-Za-z0-9_-]',
    breakIt: (d) => addClaim(d, { id: 'has space', text: '', x: 0, y: 0, author: 'a', now: 1 }),
    expected: [{ reason: 'invalid-id', id: 'has space' }],
  },
  {
    name: 'a claim id of 65 characters',
    breakIt: (d) => addClaim(d, { id: 'c'.repeat(65), text: '', x: 0, y: 0, author: 'a', now: 1 }),
    expected: [{ reason: 'invalid-id', id: 'c'.repeat(65) }],
  },
  {
    name: 'a relation id outside [A-Za-z0-9_-]',
    breakIt: (d) => rawRelation(d, 'r/2', { from: 'c1', to: 'c2', kind: 'attacks' }),
    expected: [{ reason: 'invalid-id', id: 'r/2' }],
  },
  {
    name: 'too many tags',
    breakIt: (d) =>
      claimRaw(d, 'c1').set(
        'tags',
        Array.from({ length: 21 }, (_, i) => `t${i}`),
      ),
    expected: [{ reason: 'claim-field-invalid', id: 'c1' }],
  },
  {
    name: 'a tag too long',
    breakIt: (d) => claimRaw(d, 'c1').set('tags', ['x'.repeat(41)]),
    expected: [{ reason: 'claim-field-invalid', id: 'c1' }],
  },
  { name: 'a non-string tag', breakIt: (d) => claimRaw(d, 'c1').set('tags', [1]), expected: [{ reason: 'claim-field-invalid', id: 'c1' }] },
  {
    name: 'author too long',
    breakIt: (d) => claimRaw(d, 'c1').set('author', 'x'.repeat(201)),
    expected: [{ reason: 'claim-field-invalid', id: 'c1' }],
  },
  {
    name: 'a claim that is not a map',
    breakIt: (d) => (claimsMap(d) as Y.Map<unknown>).set('c3', 'not a map'),
    expected: [{ reason: 'claim-field-invalid', id: 'c3' }],
  },
  {
    name: 'relation from a missing claim',
    breakIt: (d) => rawRelation(d, 'r2', { from: 'ghost', to: 'c1', kind: 'attacks' }),
    expected: [{ reason: 'relation-to-missing-claim', id: 'r2' }],
  },
  {
    name: 'relation to a missing claim',
    breakIt: (d) => rawRelation(d, 'r2', { from: 'c1', to: 'ghost', kind: 'supports' }),
    expected: [{ reason: 'relation-to-missing-claim', id: 'r2' }],
  },
  {
    // What an undo of adding c2, or a delete racing a new relation, leaves: the server repairs it.
    name: 'claim deleted without the cascade',
    breakIt: (d) => claimsMap(d).delete('c2'),
    expected: [
      { reason: 'relation-to-deleted-claim', id: 'r1' },
      { reason: 'relation-to-deleted-claim', id: 'u1' },
    ],
  },
  {
    name: 'supports pointing at a relation, not a claim',
    breakIt: (d) => rawRelation(d, 'r2', { from: 'c1', to: 'r1', kind: 'supports' }),
    expected: [{ reason: 'relation-to-missing-claim', id: 'r2' }],
  },
  {
    name: 'undercut of a missing relation',
    breakIt: (d) => rawRelation(d, 'u2', { from: 'c1', to: 'ghost', kind: 'undercuts' }),
    expected: [{ reason: 'relation-to-missing-claim', id: 'u2' }],
  },
  {
    name: 'undercut pointing at a claim, not a relation',
    breakIt: (d) => rawRelation(d, 'u2', { from: 'c1', to: 'c2', kind: 'undercuts' }),
    expected: [{ reason: 'relation-to-missing-claim', id: 'u2' }],
  },
  {
    name: 'undercut of itself',
    breakIt: (d) => rawRelation(d, 'u2', { from: 'c1', to: 'u2', kind: 'undercuts' }),
    expected: [{ reason: 'relation-to-missing-claim', id: 'u2' }],
  },
  {
    name: 'relation deleted without the cascade',
    breakIt: (d) => relationsMap(d).delete('r1'),
    expected: [{ reason: 'relation-to-deleted-claim', id: 'u1' }],
  },
  {
    name: 'relation to a claim created and deleted before it (a deleted key, so repairable)',
    breakIt: (d) => {
      addClaim(d, { id: 'c3', text: '', x: 0, y: 0, author: 'a', now: 1 });
      claimsMap(d).delete('c3');
      rawRelation(d, 'r2', { from: 'c1', to: 'c3', kind: 'supports' });
    },
    expected: [{ reason: 'relation-to-deleted-claim', id: 'r2' }],
  },
  {
    name: 'relation with no from (no default: endpoints are never overwritten)',
    breakIt: (d) => rel(d, 'r1').delete('from'),
    expected: [{ reason: 'relation-to-missing-claim', id: 'r1' }],
  },
  ...(['kind', 'group', 'author', 'createdAt'] as const).map((field): ViolationCase => ({
    name: `relation ${field} missing (reads as readRelation's default)`,
    breakIt: (d) => rel(d, 'r1').delete(field),
    expected: [],
  })),
  {
    name: 'relation author over 200 characters',
    breakIt: (d) => rel(d, 'r1').set('author', 'x'.repeat(201)),
    expected: [{ reason: 'relation-field-invalid', id: 'r1' }],
  },
  {
    name: 'relation createdAt not a number',
    breakIt: (d) => rel(d, 'u1').set('createdAt', 'now'),
    expected: [{ reason: 'relation-field-invalid', id: 'u1' }],
  },
  { name: 'relation kind null', breakIt: (d) => rel(d, 'r1').set('kind', null), expected: [{ reason: 'unknown-relation-kind', id: 'r1' }] },
  {
    name: 'unknown relation kind',
    breakIt: (d) => rel(d, 'r1').set('kind', 'implies'),
    expected: [{ reason: 'unknown-relation-kind', id: 'r1' }],
  },
  {
    name: 'a relation that is not a map',
    breakIt: (d) => (relationsMap(d) as Y.Map<unknown>).set('r9', 42),
    expected: [{ reason: 'relation-field-invalid', id: 'r9' }],
  },
  {
    name: 'group too long',
    breakIt: (d) => rel(d, 'r1').set('group', 'g'.repeat(65)),
    expected: [{ reason: 'relation-field-invalid', id: 'r1' }],
  },
  { name: 'an unknown root map', breakIt: (d) => d.getMap('evil').set('k', 1), expected: [{ reason: 'unknown-root' }] },
  { name: 'an unknown root text', breakIt: (d) => d.getText('notes').insert(0, 'hi'), expected: [{ reason: 'unknown-root' }] },
  { name: 'the comments root (allowed)', breakIt: (d) => d.getMap('comments').set('k', 1), expected: [] },
  { name: 'a newer schema version', breakIt: (d) => metaMap(d).set('schemaVersion', 2), expected: [{ reason: 'bad-schema-version' }] },
];

describe('validateDoc', () => {
  it('accepts the valid fixtures', () => {
    expect(validateDoc(validDoc())).toEqual([]);
    expect(validateDoc(fixture())).toEqual([]);
  });

  for (const c of violationCases) {
    it(c.expected.length === 0 ? `accepts ${c.name}` : `reports ${c.expected.map((e) => e.reason).join(', ')}: ${c.name}`, () => {
      const doc = validDoc();
      c.breakIt(doc);
      expect(validateDoc(doc).map((v) => ({ reason: v.reason, id: v.id }))).toEqual(
        c.expected.map((e) => ({ reason: e.reason, id: e.id })),
      );
    });
  }

  it('reports too-many-claims above the limit', () => {
    const doc = newDoc(1);
    doc.transact(() => {
      for (let i = 0; i <= MAX_CLAIMS; i++) {
        const m = new Y.Map<unknown>();
        m.set('kind', 'claim');
        m.set('text', new Y.Text());
        m.set('x', 0);
        m.set('y', 0);
        claimsMap(doc).set(`c${i}`, m);
      }
    });
    expect(validateDoc(doc).map((v) => v.reason)).toEqual(['too-many-claims']);
    claimsMap(doc).delete('c0');
    expect(validateDoc(doc)).toEqual([]);
  });
});

/*
 * validateDoc accepts only documents that readGraph turns into schema-valid claims and relations:
 * the server validates with the former, while projection, scoring and export consume the latter.
 */
describe('validateDoc agrees with the zod schemas', () => {
  const schemaOk = (doc: Y.Doc): boolean => {
    const graph = readGraph(doc);
    return graph.claims.every((c) => claimSchema.safeParse(c).success) && graph.relations.every((r) => relationSchema.safeParse(r).success);
  };
  // Each row was once accepted by validateDoc although the schemas reject what readGraph returns.
  const gaps: { name: string; breakIt: (d: Y.Doc) => void }[] = [
    { name: 'non-numeric createdAt (read as NaN)', breakIt: (d) => claimRaw(d, 'c1').set('createdAt', 'yesterday') },
    { name: 'an empty tag', breakIt: (d) => claimRaw(d, 'c1').set('tags', ['']) },
    {
      name: 'a claim id outside [A-Za-z0-9_-]',
      breakIt: (d) => addClaim(d, { id: 'has space', text: '', x: 0, y: 0, author: 'a', now: 1 }),
    },
    { name: 'a relation author over 200 characters', breakIt: (d) => rel(d, 'r1').set('author', 'x'.repeat(201)) },
  ];
  for (const g of gaps) {
    it(`rejects ${g.name}`, () => {
      const doc = validDoc();
      g.breakIt(doc);
      expect(schemaOk(doc)).toBe(false);
      expect(validateDoc(doc)).not.toEqual([]);
    });
  }

  it('whatever validateDoc accepts in the violation table, readGraph returns schema-valid', () => {
    for (const c of violationCases) {
      const doc = validDoc();
      c.breakIt(doc);
      if (validateDoc(doc).length === 0) expect(schemaOk(doc), c.name).toBe(true);
    }
  });
});

describe('touchedBy + validateDoc(touched): the per-update check', () => {
  interface TouchCase {
    name: string;
    /** Runs on the doc in one transaction (or, with `remote`, on another doc whose update is applied). */
    change: (doc: Y.Doc) => void;
    touched: { claims: string[]; relations: string[]; roots: string[] };
    /** The keys that went from no value to a value (their ids are checked); none if omitted. */
    created?: { claims?: string[]; relations?: string[] };
    /** Claim and relation keys left without a value (only these make validateDoc scan for dangling relations). */
    removed?: string[];
    violations: DocViolation['reason'][];
  }
  const cases: TouchCase[] = [
    {
      name: 'addClaim',
      change: (d) => addClaim(d, { id: 'c3', text: 'new', x: 0, y: 0, author: 'a', now: 2 }),
      touched: { claims: ['c3'], relations: [], roots: ['claims'] },
      created: { claims: ['c3'] },
      violations: [],
    },
    {
      name: 'setClaimText (a nested Y.Text change maps to its claim)',
      change: (d) => setClaimText(d, 'c1', 'changed', null, 2),
      touched: { claims: ['c1'], relations: [], roots: ['claims'] },
      violations: [],
    },
    {
      name: 'updateClaim',
      change: (d) => updateClaim(d, 'c2', { x: 5 }, null, 2),
      touched: { claims: ['c2'], relations: [], roots: ['claims'] },
      violations: [],
    },
    {
      name: 'deleteClaims with its cascade',
      change: (d) => deleteClaims(d, ['c2']),
      touched: { claims: ['c2'], relations: ['r1', 'u1'], roots: ['claims', 'relations'] },
      removed: ['c2', 'r1', 'u1'],
      violations: [],
    },
    {
      name: 'deleteRelations with its cascade',
      change: (d) => deleteRelations(d, ['r1']),
      touched: { claims: [], relations: ['r1', 'u1'], roots: ['relations'] },
      removed: ['r1', 'u1'],
      violations: [],
    },
    {
      name: 'addRelation between existing claims',
      change: (d) => addRelation(d, { id: 'r2', from: 'c2', to: 'c1', kind: 'attacks', author: 'a', now: 2 }),
      touched: { claims: [], relations: ['r2'], roots: ['relations'] },
      created: { relations: ['r2'] },
      violations: [],
    },
    {
      name: 'a raw claim delete that skips the cascade',
      change: (d) => claimsMap(d).delete('c2'),
      touched: { claims: ['c2'], relations: [], roots: ['claims'] },
      removed: ['c2'],
      violations: ['relation-to-deleted-claim', 'relation-to-deleted-claim'],
    },
    {
      name: 'a raw relation delete that orphans an undercut',
      change: (d) => relationsMap(d).delete('r1'),
      touched: { claims: [], relations: ['r1'], roots: ['relations'] },
      removed: ['r1'],
      violations: ['relation-to-deleted-claim'],
    },
    {
      name: 'addRelation to a missing claim',
      change: (d) => addRelation(d, { id: 'r2', from: 'c1', to: 'ghost', kind: 'supports', author: 'a', now: 2 }),
      touched: { claims: [], relations: ['r2'], roots: ['relations'] },
      created: { relations: ['r2'] },
      violations: ['relation-to-missing-claim'],
    },
    {
      name: 'a raw kind set',
      change: (d) => claimRaw(d, 'c1').set('kind', 'bogus'),
      touched: { claims: ['c1'], relations: [], roots: ['claims'] },
      violations: ['unknown-claim-kind'],
    },
    {
      name: 'a raw text insert past the limit',
      change: (d) => (claimRaw(d, 'c1').get('text') as Y.Text).insert(0, 'x'.repeat(MAX_CLAIM_TEXT)),
      touched: { claims: ['c1'], relations: [], roots: ['claims'] },
      violations: ['claim-text-too-long'],
    },
    {
      name: 'a claim key overwritten with a new map (it had a value: its id is not re-checked)',
      change: (d) => addClaim(d, { id: 'c1', text: 'again', x: 0, y: 0, author: 'a', now: 2 }),
      touched: { claims: ['c1'], relations: [], roots: ['claims'] },
      violations: [],
    },
    {
      name: 'a claim added and deleted in one transaction (no value at the end)',
      change: (d) => {
        addClaim(d, { id: 'c3', text: '', x: 0, y: 0, author: 'a', now: 2 });
        claimsMap(d).delete('c3');
      },
      touched: { claims: ['c3'], relations: [], roots: ['claims'] },
      removed: ['c3'],
      violations: [],
    },
    {
      name: 'a new claim with an invalid id',
      change: (d) => addClaim(d, { id: 'no.dots', text: '', x: 0, y: 0, author: 'a', now: 2 }),
      touched: { claims: ['no.dots'], relations: [], roots: ['claims'] },
      created: { claims: ['no.dots'] },
      violations: ['invalid-id'],
    },
    {
      name: 'a write to an unknown root',
      change: (d) => d.getMap('evil').set('k', 1),
      touched: { claims: [], relations: [], roots: ['evil'] },
      violations: ['unknown-root'],
    },
  ];

  /** Applies `change` and returns what the afterTransaction observer saw. */
  function observe(doc: Y.Doc, apply: () => void): { touched: ReturnType<typeof touchedBy>; violations: DocViolation[] }[] {
    const seen: { touched: ReturnType<typeof touchedBy>; violations: DocViolation[] }[] = [];
    const handler = (tr: Y.Transaction): void => {
      const touched = touchedBy(tr);
      seen.push({ touched, violations: validateDoc(doc, touched) });
    };
    doc.on('afterTransaction', handler);
    apply();
    doc.off('afterTransaction', handler);
    return seen;
  }
  const sorted = (t: ReturnType<typeof touchedBy>) => ({
    claims: [...t.claims].sort(),
    relations: [...t.relations].sort(),
    roots: [...t.roots].sort(),
  });
  const createdBy = (t: Touched) => ({ claims: [...(t.newClaims ?? [])].sort(), relations: [...(t.newRelations ?? [])].sort() });
  const expectedCreated = (c: TouchCase) => ({ claims: c.created?.claims ?? [], relations: c.created?.relations ?? [] });

  for (const c of cases) {
    it(`local: ${c.name}`, () => {
      const doc = validDoc();
      const seen = observe(doc, () => doc.transact(() => c.change(doc)));
      expect(seen).toHaveLength(1);
      const [only] = seen;
      expect(sorted(only!.touched)).toEqual(c.touched);
      expect(createdBy(only!.touched)).toEqual(expectedCreated(c));
      expect([...only!.touched.removed].sort()).toEqual(c.removed ?? []);
      expect(only!.violations.map((v) => v.reason)).toEqual(c.violations);
    });

    // The server sees the same change as a remote update: touchedBy must read it the same way.
    it(`remote: ${c.name}`, () => {
      const server = serverWith(validDoc(), c.change, { typedRoots: true });
      expect(sorted(server.touched)).toEqual(c.touched);
      expect(createdBy(server.touched)).toEqual(expectedCreated(c));
      expect([...server.touched.removed].sort()).toEqual(c.removed ?? []);
      expect(server.violations.map((v) => v.reason)).toEqual(c.violations);
    });
  }

  /**
   * Builds a server doc the way a server loads one (Y.applyUpdate from storage), applies the
   * client's change as a remote update, and returns what the per-update check saw. With
   * `typedRoots`, the server calls ensureRoots before the update arrives, as server/rooms/room.ts does.
   */
  function serverWith(client: Y.Doc, change: (d: Y.Doc) => void, opts: { typedRoots: boolean }) {
    const server = newDoc(9);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
    if (opts.typedRoots) ensureRoots(server);
    const before = Y.encodeStateVector(client);
    change(client);
    const update = Y.encodeStateAsUpdate(client, before);
    const seen = observe(server, () => Y.applyUpdate(server, update, 'conn'));
    expect(seen).toHaveLength(1);
    return seen[0]!;
  }

  /*
   * Regression: a doc loaded with Y.applyUpdate holds its roots as untyped AbstractTypes until
   * someone calls getMap, which swaps in a new object. touchedBy names roots from doc.share so a
   * change on such a doc is still seen (it once read as touching nothing and passed the check).
   */
  it('catches an invalid new claim on a freshly loaded server doc, even before ensureRoots', () => {
    const seen = serverWith(
      validDoc(),
      (d) =>
        addClaim(d, {
          id: 'bad',
          text: 'x'.repeat(MAX_CLAIM_TEXT + 1),
          kind: 'bogus' as Claim['kind'],
          x: NaN,
          y: 0,
          author: 'm',
          now: 1,
        }),
      { typedRoots: false },
    );
    expect(sorted(seen.touched)).toEqual({ claims: ['bad'], relations: [], roots: ['claims'] });
    expect(seen.violations.map((v) => v.reason)).toEqual(['unknown-claim-kind', 'claim-text-too-long', 'non-finite-position']);
  });

  it('checks only what the transaction touched, not older problems elsewhere', () => {
    const doc = validDoc();
    claimRaw(doc, 'c1').set('kind', 'bogus');
    const seen = observe(doc, () => updateClaim(doc, 'c2', { x: 3 }, null, 2));
    expect(seen.map((s) => s.violations)).toEqual([[]]);
    expect(validateDoc(doc).map((v) => v.reason)).toEqual(['unknown-claim-kind']);
  });

  it('an undo that restores a deleted claim gives its keys a value again: their ids are checked', () => {
    const doc = validDoc();
    const um = new Y.UndoManager([claimsMap(doc), relationsMap(doc)], { trackedOrigins: new Set(['me']) });
    deleteClaims(doc, ['c2'], 'me');
    const seen = observe(doc, () => um.undo());
    expect(seen).toHaveLength(1);
    expect(createdBy(seen[0]!.touched)).toEqual({ claims: ['c2'], relations: ['r1', 'u1'] });
    expect(seen[0]!.violations).toEqual([]);
  });

  it('a claim whose id predates the id check stays editable', () => {
    const doc = validDoc();
    addClaim(doc, { id: 'legacy id', text: 'old', x: 0, y: 0, author: 'a', now: 1 });
    const seen = observe(doc, () => {
      setClaimText(doc, 'legacy id', 'edited', null, 2);
      updateClaim(doc, 'legacy id', { x: 4 }, null, 3);
      addRelation(doc, { id: 'r2', from: 'legacy id', to: 'c1', kind: 'supports', author: 'a', now: 4 });
    });
    expect(seen.map((s) => s.violations)).toEqual([[], [], []]);
    expect(validateDoc(doc).map((v) => v.reason)).toEqual(['invalid-id']);
  });

  /*
   * yjs/yjs#514: when the undoing user's value had won a concurrent set of the same key, undo
   * deletes the key instead of restoring the previous value. The server must accept that undo, or
   * it locks the user out (see "Missing fields" in lib/model/doc.ts).
   */
  it('accepts the undo of a move that won a race, although it leaves the claim without x', () => {
    const a = newDoc(2); // the higher clientID wins the concurrent set
    const b = newDoc(1);
    const server = newDoc(9);
    ensureRoots(server);
    addClaim(a, { id: 'c', text: 't', x: 0, y: 0, author: 'a', now: 1 });
    sync(a, b);
    sync(a, server);
    const um = new Y.UndoManager([claimsMap(a), relationsMap(a)], { trackedOrigins: new Set(['A']), captureTimeout: 0 });
    updateClaim(a, 'c', { x: 10 }, 'A', 2);
    updateClaim(b, 'c', { x: 20 }, 'B', 3);
    sync(a, b);
    sync(b, server);
    const before = Y.encodeStateVector(server);
    um.undo();
    const seen = observe(server, () => Y.applyUpdate(server, Y.encodeStateAsUpdate(a, before), 'conn'));
    expect(claimRaw(server, 'c').get('x')).toBeUndefined();
    expect(seen.map((s) => s.violations)).toEqual([[]]);
    expect(validateDoc(server)).toEqual([]);
    expect(readGraph(server).claims[0]).toMatchObject({ x: 0, y: 0 });
  });
});
