import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addClaim, claimsMap, deleteClaims, ensureRoots } from '@/lib/model/doc';
import {
  type CommentError,
  MAX_COMMENT_TEXT,
  addComment,
  commentSchema,
  commentViolations,
  commentsMap,
  countOpen,
  countOpenByClaim,
  deleteComment,
  readComments,
  reopenThread,
  resolveThread,
  type CommentThread,
} from '@/lib/model/comment';

/* Table-driven tests for the comment accessors (STYLE practice 8). */

function fixture(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = 1;
  ensureRoots(doc);
  addClaim(doc, { id: 'c1', text: 'one', x: 0, y: 0, author: 'a', now: 1 });
  addClaim(doc, { id: 'c2', text: 'two', x: 0, y: 0, author: 'a', now: 1 });
  return doc;
}

/** A thread as [root text, resolved, ...reply texts]: compact enough for tables. */
type Shape = [string, boolean, ...string[]];
const shape = (threads: CommentThread[]): Shape[] => threads.map((t) => [t.root.text, t.resolved, ...t.replies.map((r) => r.text)]);

interface Case {
  name: string;
  act: (doc: Y.Doc) => void;
  c1: Shape[];
  open?: { c1: number; c2: number };
}

const add = (doc: Y.Doc, id: string, text: string, now: number, parentId?: string, claimId = 'c1') =>
  addComment(doc, { id, claimId, parentId, author: 'ann', text, now });

const cases: Case[] = [
  { name: 'no comments', act: () => undefined, c1: [], open: { c1: 0, c2: 0 } },
  {
    name: 'two threads, oldest first, whatever the insertion order',
    act: (d) => {
      add(d, 'late', 'second', 20);
      add(d, 'early', 'first', 10);
    },
    c1: [
      ['first', false],
      ['second', false],
    ],
    open: { c1: 2, c2: 0 },
  },
  {
    name: 'replies, oldest first, under their thread',
    act: (d) => {
      add(d, 't', 'root', 1);
      add(d, 'r2', 'b', 3, 't');
      add(d, 'r1', 'a', 2, 't');
    },
    c1: [['root', false, 'a', 'b']],
  },
  {
    name: 'a reply to a reply joins the same thread',
    act: (d) => {
      add(d, 't', 'root', 1);
      add(d, 'r1', 'a', 2, 't');
      add(d, 'r2', 'b', 3, 'r1');
    },
    c1: [['root', false, 'a', 'b']],
  },
  {
    name: 'comments on another claim are not shown',
    act: (d) => {
      add(d, 't', 'mine', 1);
      add(d, 'o', 'other', 1, undefined, 'c2');
    },
    c1: [['mine', false]],
    open: { c1: 1, c2: 1 },
  },
  {
    name: 'resolving a thread (by a reply id) closes it and drops the open count',
    act: (d) => {
      add(d, 't', 'root', 1);
      add(d, 'r', 'reply', 2, 't');
      add(d, 'u', 'other', 3);
      resolveThread(d, 'r');
    },
    c1: [
      ['root', true, 'reply'],
      ['other', false],
    ],
    open: { c1: 1, c2: 0 },
  },
  {
    name: 'reopening a resolved thread',
    act: (d) => {
      add(d, 't', 'root', 1);
      resolveThread(d, 't');
      reopenThread(d, 't');
    },
    c1: [['root', false]],
    open: { c1: 1, c2: 0 },
  },
  {
    name: 'deleting a reply keeps the thread',
    act: (d) => {
      add(d, 't', 'root', 1);
      add(d, 'r1', 'a', 2, 't');
      add(d, 'r2', 'b', 3, 't');
      deleteComment(d, 'r1');
    },
    c1: [['root', false, 'b']],
  },
  {
    name: 'deleting the first comment deletes the thread',
    act: (d) => {
      add(d, 't', 'root', 1);
      add(d, 'r1', 'a', 2, 't');
      add(d, 'u', 'other', 3);
      deleteComment(d, 't');
    },
    c1: [['other', false]],
  },
  {
    name: 'unknown ids are ignored by resolve, reopen and delete',
    act: (d) => {
      add(d, 't', 'root', 1);
      resolveThread(d, 'nope');
      reopenThread(d, 'nope');
      deleteComment(d, 'nope');
    },
    c1: [['root', false]],
  },
  {
    name: 'text is trimmed',
    act: (d) => void add(d, 't', '  spaced  \n', 1),
    c1: [['spaced', false]],
  },
  {
    name: "a deleted claim's comments come back when the claim does",
    act: (d) => {
      add(d, 't', 'root', 1);
      const um = new Y.UndoManager([claimsMap(d), commentsMap(d)], { trackedOrigins: new Set(['me']) });
      deleteClaims(d, ['c1'], 'me');
      expect(claimsMap(d).has('c1')).toBe(false);
      um.undo();
    },
    c1: [['root', false]],
  },
];

describe('comments', () => {
  for (const c of cases) {
    it(c.name, () => {
      const doc = fixture();
      c.act(doc);
      expect(shape(readComments(doc, 'c1'))).toEqual(c.c1);
      if (c.open) {
        expect({ c1: countOpen(doc, 'c1'), c2: countOpen(doc, 'c2') }).toEqual(c.open);
        expect(Object.fromEntries(countOpenByClaim(doc))).toEqual(Object.fromEntries(Object.entries(c.open).filter(([, n]) => n > 0)));
      }
      expect(commentViolations(doc)).toEqual([]);
      for (const t of readComments(doc, 'c1'))
        for (const m of [t.root, ...t.replies]) expect(commentSchema.safeParse(m).success).toBe(true);
    });
  }

  const refusals: { name: string; input: Parameters<typeof addComment>[1]; reason: CommentError['reason'] }[] = [
    { name: 'empty text', input: { claimId: 'c1', author: 'a', text: '   ' }, reason: 'empty-text' },
    { name: 'text over the limit', input: { claimId: 'c1', author: 'a', text: 'x'.repeat(MAX_COMMENT_TEXT + 1) }, reason: 'text-too-long' },
    { name: 'an unknown claim', input: { claimId: 'nope', author: 'a', text: 'hi' }, reason: 'unknown-claim' },
    { name: 'an unknown parent', input: { claimId: 'c1', parentId: 'nope', author: 'a', text: 'hi' }, reason: 'unknown-parent' },
    { name: 'an over-long author', input: { claimId: 'c1', author: 'a'.repeat(201), text: 'hi' }, reason: 'author-too-long' },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name} and leaves the document untouched`, () => {
      const doc = fixture();
      const before = Y.encodeStateAsUpdate(doc);
      expect(() => addComment(doc, r.input)).toThrow(expect.objectContaining({ name: 'CommentError', reason: r.reason }));
      expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    });
  }

  it('accepts text exactly at the limit', () => {
    const doc = fixture();
    add(doc, 't', 'x'.repeat(MAX_COMMENT_TEXT), 1);
    expect(readComments(doc, 'c1')[0]?.root.text.length).toBe(MAX_COMMENT_TEXT);
  });

  it('a reply racing with the deletion of its thread is hidden, not shown as a thread', () => {
    const a = fixture();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    add(a, 't', 'root', 1);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    deleteComment(a, 't');
    add(b, 'r', 'late reply', 2, 't');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    for (const d of [a, b]) {
      expect(readComments(d, 'c1')).toEqual([]);
      expect(countOpen(d, 'c1')).toBe(0);
    }
  });
});

describe('commentViolations', () => {
  const raw = (fields: Record<string, unknown>) => (doc: Y.Doc) => {
    const m = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(fields)) m.set(k, v);
    commentsMap(doc).set('bad', m);
  };
  const ok = { claimId: 'c1', parentId: '', author: 'a', text: 'hi', createdAt: 1, resolved: false };
  const cases: { name: string; put: (doc: Y.Doc) => void; bad: boolean }[] = [
    { name: 'a valid comment', put: raw(ok), bad: false },
    { name: 'missing optional fields', put: raw({ claimId: 'c1', text: 'hi' }), bad: false },
    { name: 'text over the limit', put: raw({ ...ok, text: 'x'.repeat(MAX_COMMENT_TEXT + 1) }), bad: true },
    { name: 'text as a number', put: raw({ ...ok, text: 5 }), bad: true },
    { name: 'no text', put: raw({ ...ok, text: undefined }), bad: true },
    { name: 'resolved as a string', put: raw({ ...ok, resolved: 'yes' }), bad: true },
    { name: 'claimId with spaces', put: raw({ ...ok, claimId: 'a b' }), bad: true },
    { name: 'createdAt as a string', put: raw({ ...ok, createdAt: '1' }), bad: true },
    { name: 'not a map', put: (d) => commentsMap(d).set('bad', 7 as unknown as Y.Map<unknown>), bad: true },
  ];
  for (const c of cases) {
    it(`${c.bad ? 'flags' : 'accepts'} ${c.name}`, () => {
      const doc = fixture();
      c.put(doc);
      expect(commentViolations(doc, ['bad']).length > 0).toBe(c.bad);
      expect(commentViolations(doc).length > 0).toBe(c.bad);
    });
  }
});
