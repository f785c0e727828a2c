import * as Y from 'yjs';
import { z } from 'zod';
import { claimIdSchema } from './claim';
import { claimsMap, newId } from './doc';

/**
 * Threaded comments on claims, part of the debate's Y.Doc (shape version 1, DOC_SCHEMA_VERSION):
 *   comments: Y.Map<commentId, Y.Map { claimId, parentId, author, text, createdAt, resolved }>
 * A comment with parentId '' opens a thread; a reply names the thread's first comment. Threads
 * are one level deep: a reply to a reply joins the same thread, as in most review tools, so a
 * thread reads top to bottom. A thread's resolved state lives on its first comment.
 *
 * The text is a plain string, not a Y.Text: a comment has one author and is written once, so
 * character-level merging buys nothing and would cost an extra shared type per comment.
 *
 * Comments of a deleted claim stay in the document, hidden: undoing the deletion brings the
 * claim back with its discussion.
 */

export const MAX_COMMENT_TEXT = 2000;
const MAX_AUTHOR = 200;

export interface Comment {
  id: string;
  claimId: string;
  /** '' for the first comment of a thread; otherwise the id of that first comment. */
  parentId: string;
  author: string;
  text: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Meaningful on a thread's first comment. */
  resolved: boolean;
}

export const commentSchema = z.object({
  id: claimIdSchema,
  claimId: claimIdSchema,
  parentId: z.union([z.literal(''), claimIdSchema]),
  author: z.string().max(MAX_AUTHOR),
  text: z.string().min(1).max(MAX_COMMENT_TEXT),
  createdAt: z.number().finite(),
  resolved: z.boolean(),
});

export interface CommentThread {
  /** The comment that opened the thread. */
  root: Comment;
  /** Oldest first. */
  replies: Comment[];
  resolved: boolean;
}

export type YComment = Y.Map<unknown>;

/** The comments root. Call it (or ensureCommentRoot) on a fresh doc, as ensureRoots does for the others. */
export const commentsMap = (doc: Y.Doc): Y.Map<YComment> => doc.getMap('comments');
export const ensureCommentRoot = (doc: Y.Doc): void => void commentsMap(doc);

export class CommentError extends Error {
  constructor(
    readonly reason: 'empty-text' | 'text-too-long' | 'unknown-claim' | 'unknown-parent' | 'author-too-long',
    message: string,
  ) {
    super(message);
    this.name = 'CommentError';
  }
}

export interface NewComment {
  id?: string;
  claimId: string;
  /** Any comment of the thread to reply to; omitted or '' to open a new thread. */
  parentId?: string;
  author: string;
  text: string;
  now?: number;
}

/**
 * Adds a comment and returns its id. Throws CommentError on input the server would refuse or
 * that has nowhere to go: empty or over-long text, a claim or parent that does not exist.
 */
export function addComment(doc: Y.Doc, input: NewComment, origin?: unknown): string {
  const text = input.text.trim();
  if (text.length === 0) throw new CommentError('empty-text', 'a comment needs some text');
  if (text.length > MAX_COMMENT_TEXT) throw new CommentError('text-too-long', `${text.length} > ${MAX_COMMENT_TEXT} characters`);
  if (input.author.length > MAX_AUTHOR) throw new CommentError('author-too-long', `author over ${MAX_AUTHOR} characters`);
  if (!claimsMap(doc).has(input.claimId)) throw new CommentError('unknown-claim', `no claim ${input.claimId}`);
  const comments = commentsMap(doc);
  let parentId = '';
  if (input.parentId) {
    const parent = comments.get(input.parentId);
    if (!parent) throw new CommentError('unknown-parent', `no comment ${input.parentId}`);
    const grand = parent.get('parentId');
    parentId = typeof grand === 'string' && grand !== '' ? grand : input.parentId;
  }
  const id = input.id ?? newId();
  doc.transact(() => {
    const m = new Y.Map<unknown>();
    m.set('claimId', input.claimId);
    m.set('parentId', parentId);
    m.set('author', input.author);
    m.set('text', text);
    m.set('createdAt', input.now ?? Date.now());
    m.set('resolved', false);
    comments.set(id, m);
  }, origin);
  return id;
}

function setResolved(doc: Y.Doc, commentId: string, resolved: boolean, origin: unknown): void {
  const comments = commentsMap(doc);
  const c = comments.get(commentId);
  if (!c) return;
  const parent = c.get('parentId');
  const rootId = typeof parent === 'string' && parent !== '' ? parent : commentId;
  const root = comments.get(rootId);
  if (!root || root.get('resolved') === resolved) return;
  doc.transact(() => root.set('resolved', resolved), origin);
}

/** Marks the thread of `commentId` (its first comment or any reply) resolved. */
export const resolveThread = (doc: Y.Doc, commentId: string, origin?: unknown): void => setResolved(doc, commentId, true, origin);
export const reopenThread = (doc: Y.Doc, commentId: string, origin?: unknown): void => setResolved(doc, commentId, false, origin);

/** Deletes a reply, or a whole thread when given its first comment. */
export function deleteComment(doc: Y.Doc, commentId: string, origin?: unknown): void {
  const comments = commentsMap(doc);
  const c = comments.get(commentId);
  if (!c) return;
  doc.transact(() => {
    if (c.get('parentId') === '' || c.get('parentId') === undefined)
      comments.forEach((m, id) => {
        if (m instanceof Y.Map && m.get('parentId') === commentId) comments.delete(id);
      });
    comments.delete(commentId);
  }, origin);
}

/** Reads one stored comment, defaulting fields the way readClaim does; null if it is not a map. */
export function readComment(id: string, m: unknown): Comment | null {
  if (!(m instanceof Y.Map)) return null;
  const text = m.get('text');
  return {
    id,
    claimId: String(m.get('claimId') ?? ''),
    parentId: String(m.get('parentId') ?? ''),
    author: String(m.get('author') ?? ''),
    text: typeof text === 'string' ? text : text instanceof Y.Text ? text.toString() : '',
    createdAt: Number(m.get('createdAt') ?? 0),
    resolved: m.get('resolved') === true,
  };
}

const byTime = (a: Comment, b: Comment): number => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The threads on one claim, oldest first, each with its replies oldest first. Replies whose
 * first comment was deleted concurrently (one person replies while another deletes the thread)
 * have no thread to show in and are left out.
 */
export function readComments(doc: Y.Doc, claimId: string): CommentThread[] {
  const roots: Comment[] = [];
  const replies = new Map<string, Comment[]>();
  commentsMap(doc).forEach((m, id) => {
    const c = readComment(id, m);
    if (!c || c.claimId !== claimId) return;
    if (c.parentId === '') roots.push(c);
    else {
      const list = replies.get(c.parentId) ?? [];
      list.push(c);
      replies.set(c.parentId, list);
    }
  });
  return roots.sort(byTime).map((root) => ({ root, replies: (replies.get(root.id) ?? []).sort(byTime), resolved: root.resolved }));
}

/** Open (unresolved) threads on one claim. */
export function countOpen(doc: Y.Doc, claimId: string): number {
  return countOpenByClaim(doc).get(claimId) ?? 0;
}

/** Open threads per claim in one pass over the comments: for badges on every claim of the map. */
export function countOpenByClaim(doc: Y.Doc): Map<string, number> {
  const out = new Map<string, number>();
  commentsMap(doc).forEach((m) => {
    if (!(m instanceof Y.Map) || m.get('resolved') === true) return;
    const parent = m.get('parentId');
    if (parent !== '' && parent !== undefined) return;
    const claimId = m.get('claimId');
    if (typeof claimId === 'string') out.set(claimId, (out.get(claimId) ?? 0) + 1);
  });
  return out;
}

/**
 * Problems with stored comments, for the server's validation of the `comments` root: every
 * present field must pass commentSchema (missing fields read as their defaults, as for claims).
 * Without `ids`, checks every comment.
 */
export function commentViolations(doc: Y.Doc, ids?: Iterable<string>): { id: string; detail: string }[] {
  const comments = commentsMap(doc);
  const out: { id: string; detail: string }[] = [];
  const check = (id: string) => {
    const m = comments.get(id);
    if (m === undefined) return;
    const detail = rawProblem(m) ?? schemaProblem(id, m);
    if (detail) out.push({ id, detail });
  };
  if (ids) for (const id of ids) check(id);
  else for (const id of comments.keys()) check(id);
  return out;
}

/** Field types readComment would silently coerce, so the schema check alone cannot see them. */
function rawProblem(m: unknown): string | null {
  if (!(m instanceof Y.Map)) return 'comment is not a map';
  for (const k of ['claimId', 'parentId', 'author', 'text'] as const) {
    const v = m.get(k);
    if (v !== undefined && typeof v !== 'string') return `${k} must be a string`;
  }
  const createdAt = m.get('createdAt');
  if (createdAt !== undefined && typeof createdAt !== 'number') return 'createdAt must be a number';
  const resolved = m.get('resolved');
  if (resolved !== undefined && typeof resolved !== 'boolean') return 'resolved must be a boolean';
  return null;
}

function schemaProblem(id: string, m: YComment): string | null {
  const parsed = commentSchema.safeParse(readComment(id, m));
  return parsed.success ? null : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}
