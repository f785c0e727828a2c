import * as Y from 'yjs';
import { CLAIM_KINDS, MAX_CLAIM_TEXT, MAX_CLAIMS, MAX_TAGS, MAX_TAG_LENGTH, claimIdSchema, type Claim, type ClaimKind } from './claim';
import { RELATION_KINDS, type Relation, type RelationKind } from './relation';
import type { ArgumentGraph } from './graph';

/**
 * The shape of a debate's Y.Doc, version 1:
 *   meta:      Y.Map  { schemaVersion: number }
 *   claims:    Y.Map<id, Y.Map { kind, text: Y.Text, x, y, author, tags: string[], createdAt, updatedAt }>
 *   relations: Y.Map<id, Y.Map { from, to, kind, group, author, createdAt }>
 * Claim text is a Y.Text so that two people typing in one claim merge character by character.
 */
export const DOC_SCHEMA_VERSION = 1;

export type YClaim = Y.Map<unknown>;
export type YRelation = Y.Map<unknown>;

export const claimsMap = (doc: Y.Doc): Y.Map<YClaim> => doc.getMap('claims');
export const relationsMap = (doc: Y.Doc): Y.Map<YRelation> => doc.getMap('relations');
export const metaMap = (doc: Y.Doc): Y.Map<unknown> => doc.getMap('meta');

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** A 16-character random id; collision odds are negligible at the 20,000-claim limit. */
export function newId(random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return s;
}

/**
 * Instantiates the root types with their real classes. Call it on a fresh doc before applying
 * remote updates: otherwise Yjs integrates them under a placeholder AbstractType that the first
 * getMap() replaces, and observers or transactions holding the placeholder miss the changes.
 */
export function ensureRoots(doc: Y.Doc): void {
  metaMap(doc);
  claimsMap(doc);
  relationsMap(doc);
}

export function initDoc(doc: Y.Doc): void {
  const meta = metaMap(doc);
  if (meta.get('schemaVersion') === undefined) meta.set('schemaVersion', DOC_SCHEMA_VERSION);
}

export interface NewClaim {
  id?: string;
  text: string;
  kind?: ClaimKind;
  x: number;
  y: number;
  author: string;
  tags?: string[];
  /** createdAt, and updatedAt unless given. Default Date.now(). */
  now?: number;
  /** For restores and imports of a claim edited after it was created. */
  updatedAt?: number;
}

export function addClaim(doc: Y.Doc, input: NewClaim, origin?: unknown): string {
  const id = input.id ?? newId();
  const now = input.now ?? Date.now();
  doc.transact(() => {
    const m = new Y.Map<unknown>();
    m.set('kind', input.kind ?? 'claim');
    m.set('text', new Y.Text(input.text));
    m.set('x', input.x);
    m.set('y', input.y);
    m.set('author', input.author);
    m.set('tags', input.tags ?? []);
    m.set('createdAt', now);
    m.set('updatedAt', input.updatedAt ?? now);
    claimsMap(doc).set(id, m);
  }, origin);
  return id;
}

/**
 * Replaces a claim's text with the smallest edit (common prefix and suffix kept), so a
 * concurrent edit elsewhere in the same text survives.
 */
export function setClaimText(doc: Y.Doc, id: string, text: string, origin?: unknown, now = Date.now()): void {
  const c = claimsMap(doc).get(id);
  if (!c) return;
  const yt = c.get('text');
  if (!(yt instanceof Y.Text)) return;
  const old = yt.toString();
  if (old === text) return;
  let start = 0;
  while (start < old.length && start < text.length && old[start] === text[start]) start++;
  // Never cut between the halves of a surrogate pair: Yjs would store each half as U+FFFD.
  if (start > 0 && isHighSurrogate(old.charCodeAt(start - 1))) start--;
  let endOld = old.length;
  let endNew = text.length;
  while (endOld > start && endNew > start && old[endOld - 1] === text[endNew - 1]) {
    endOld--;
    endNew--;
  }
  if (endOld < old.length && isLowSurrogate(old.charCodeAt(endOld))) {
    endOld++;
    endNew++;
  }
  doc.transact(() => {
    if (endOld > start) yt.delete(start, endOld - start);
    if (endNew > start) yt.insert(start, text.slice(start, endNew));
    c.set('updatedAt', now);
  }, origin);
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

export function updateClaim(
  doc: Y.Doc,
  id: string,
  patch: Partial<Pick<Claim, 'kind' | 'x' | 'y' | 'tags'>>,
  origin?: unknown,
  now = Date.now(),
): void {
  const c = claimsMap(doc).get(id);
  if (!c) return;
  doc.transact(() => {
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) c.set(k, v);
    c.set('updatedAt', now);
  }, origin);
}

/** Deletes claims and every relation that touches them (and undercuts of those relations). */
export function deleteClaims(doc: Y.Doc, ids: Iterable<string>, origin?: unknown): void {
  const dead = new Set(ids);
  doc.transact(() => {
    const rels = relationsMap(doc);
    const deadRels = new Set<string>();
    let grew = true;
    while (grew) {
      grew = false;
      rels.forEach((r, rid) => {
        if (deadRels.has(rid)) return;
        const from = r.get('from') as string;
        const to = r.get('to') as string;
        if (dead.has(from) || dead.has(to) || deadRels.has(to)) {
          deadRels.add(rid);
          grew = true;
        }
      });
    }
    for (const rid of deadRels) rels.delete(rid);
    for (const id of dead) claimsMap(doc).delete(id);
  }, origin);
}

export interface NewRelation {
  id?: string;
  from: string;
  to: string;
  kind: RelationKind;
  group?: string;
  author: string;
  now?: number;
}

export function addRelation(doc: Y.Doc, input: NewRelation, origin?: unknown): string {
  const id = input.id ?? newId();
  doc.transact(() => {
    const m = new Y.Map<unknown>();
    m.set('from', input.from);
    m.set('to', input.to);
    m.set('kind', input.kind);
    m.set('group', input.group ?? '');
    m.set('author', input.author);
    m.set('createdAt', input.now ?? Date.now());
    relationsMap(doc).set(id, m);
  }, origin);
  return id;
}

export function deleteRelations(doc: Y.Doc, ids: Iterable<string>, origin?: unknown): void {
  const dead = new Set(ids);
  doc.transact(() => {
    const rels = relationsMap(doc);
    // Undercuts of a deleted relation lose their target, so they go too.
    let grew = true;
    while (grew) {
      grew = false;
      rels.forEach((r, rid) => {
        if (!dead.has(rid) && dead.has(r.get('to') as string)) {
          dead.add(rid);
          grew = true;
        }
      });
    }
    for (const id of dead) rels.delete(id);
  }, origin);
}

export function readClaim(id: string, m: YClaim): Claim {
  const text = m.get('text');
  const tags = m.get('tags');
  return {
    id,
    text: text instanceof Y.Text ? text.toString() : typeof text === 'string' ? text : '',
    kind: (m.get('kind') as ClaimKind) ?? 'claim',
    x: Number(m.get('x') ?? 0),
    y: Number(m.get('y') ?? 0),
    author: String(m.get('author') ?? ''),
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    createdAt: Number(m.get('createdAt') ?? 0),
    updatedAt: Number(m.get('updatedAt') ?? 0),
  };
}

export function readRelation(id: string, m: YRelation): Relation {
  return {
    id,
    from: String(m.get('from') ?? ''),
    to: String(m.get('to') ?? ''),
    kind: (m.get('kind') as RelationKind) ?? 'supports',
    group: String(m.get('group') ?? ''),
    author: String(m.get('author') ?? ''),
    createdAt: Number(m.get('createdAt') ?? 0),
  };
}

export function readGraph(doc: Y.Doc): ArgumentGraph {
  const claims: Claim[] = [];
  claimsMap(doc).forEach((m, id) => claims.push(readClaim(id, m)));
  const relations: Relation[] = [];
  relationsMap(doc).forEach((m, id) => relations.push(readRelation(id, m)));
  return { claims, relations };
}

/** Writes a whole graph into an empty document in one transaction (seed, import, restore). */
export function writeGraph(doc: Y.Doc, graph: ArgumentGraph, origin?: unknown): void {
  doc.transact(() => {
    initDoc(doc);
    for (const c of graph.claims)
      addClaim(doc, {
        id: c.id,
        text: c.text,
        kind: c.kind,
        x: c.x,
        y: c.y,
        author: c.author,
        tags: c.tags,
        now: c.createdAt,
        updatedAt: c.updatedAt,
      });
    for (const r of graph.relations)
      addRelation(doc, { id: r.id, from: r.from, to: r.to, kind: r.kind, group: r.group, author: r.author, now: r.createdAt });
  }, origin);
}

/** A named reason the server gives when it refuses a document change. */
export interface DocViolation {
  reason:
    | 'unknown-root'
    | 'bad-schema-version'
    | 'invalid-id'
    | 'unknown-claim-kind'
    | 'claim-text-too-long'
    | 'claim-field-invalid'
    | 'too-many-claims'
    | 'non-finite-position'
    | 'unknown-relation-kind'
    | 'relation-to-missing-claim'
    | 'relation-to-deleted-claim'
    | 'relation-field-invalid';
  id?: string;
  detail: string;
}

/** What one transaction changed, from touchedBy: the scope of validateDoc's per-update check. */
export interface Touched {
  claims: Set<string>;
  relations: Set<string>;
  roots: Set<string>;
  /**
   * Keys of `claims` / `relations` that went from no value to a value in the transaction. Only
   * their ids are checked, so a document holding an id from before the check stays editable.
   */
  newClaims?: Set<string>;
  newRelations?: Set<string>;
  /**
   * Keys of `claims` / `relations` left without a value by the transaction (deleted). Only these
   * can leave a relation dangling; when given, validateDoc walks the relations only for them, so
   * moves and text edits validate in O(1) however big the debate is.
   */
  removed?: Set<string>;
}

const KNOWN_ROOTS = new Set(['meta', 'claims', 'relations', 'comments']);
/** The limits claimSchema and relationSchema put on author and group. */
const MAX_AUTHOR = 200;
const MAX_GROUP = 64;

/*
 * Missing fields. validateDoc accepts a claim or relation field that is absent (undefined) and
 * reads it as the default readClaim / readRelation uses; a field that is present must be valid.
 * Absence is not a client bug: Y.UndoManager, undoing a set of a map key that a concurrent
 * transaction overwrote, can delete the key outright (yjs/yjs#514), so one user undoing a move
 * while another moves the same claim can leave it with no `x`. Refusing that update would close
 * the undoing user's socket, and as the client resends its state on every reconnect, lock them
 * out of the debate. Only the fields no default can stand in for stay required: a claim's text
 * and a relation's endpoints, which are set once when the entry is created and never
 * overwritten, so that bug cannot remove them.
 */
const isFiniteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isAuthor = (v: unknown): boolean => typeof v === 'string' && v.length <= MAX_AUTHOR;
const isTag = (t: unknown): boolean => typeof t === 'string' && t.length > 0 && t.length <= MAX_TAG_LENGTH;
const isTags = (v: unknown): boolean => Array.isArray(v) && v.length <= MAX_TAGS && v.every(isTag);
const absentOr = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || ok(v);

function checkId(id: string, out: DocViolation[]): void {
  if (!claimIdSchema.safeParse(id).success) out.push({ reason: 'invalid-id', id, detail: 'id must be 1-64 of [A-Za-z0-9_-]' });
}

function checkClaim(id: string, m: unknown, isNew: boolean, out: DocViolation[]): void {
  if (!(m instanceof Y.Map)) {
    out.push({ reason: 'claim-field-invalid', id, detail: 'claim is not a map' });
    return;
  }
  if (isNew) checkId(id, out);
  const kind = m.get('kind');
  if (!absentOr(kind, (k) => CLAIM_KINDS.includes(k as ClaimKind)))
    out.push({ reason: 'unknown-claim-kind', id, detail: `kind ${String(kind)}` });
  const text = m.get('text');
  if (!(text instanceof Y.Text)) out.push({ reason: 'claim-field-invalid', id, detail: 'text must be Y.Text' });
  else if (text.length > MAX_CLAIM_TEXT) out.push({ reason: 'claim-text-too-long', id, detail: `${text.length} > ${MAX_CLAIM_TEXT}` });
  for (const k of ['x', 'y'] as const) {
    const v = m.get(k);
    if (!absentOr(v, isFiniteNumber)) out.push({ reason: 'non-finite-position', id, detail: `${k}=${String(v)}` });
  }
  if (!absentOr(m.get('tags'), isTags)) out.push({ reason: 'claim-field-invalid', id, detail: 'tags' });
  if (!absentOr(m.get('author'), isAuthor)) out.push({ reason: 'claim-field-invalid', id, detail: 'author' });
  for (const k of ['createdAt', 'updatedAt'] as const)
    if (!absentOr(m.get(k), isFiniteNumber)) out.push({ reason: 'claim-field-invalid', id, detail: k });
}

/**
 * A relation whose endpoint was deleted is the normal outcome of two people acting at once (one
 * connects to a claim while another deletes it, or undoes adding it), not a bad client: Yjs keeps
 * a deleted entry's key, which tells the two cases apart. The server repairs the first (deletes
 * the relation) and refuses the second.
 */
function missingReason<T>(map: Y.Map<T>, key: unknown, self: string): 'relation-to-missing-claim' | 'relation-to-deleted-claim' {
  return typeof key === 'string' && key !== self && map._map.has(key) ? 'relation-to-deleted-claim' : 'relation-to-missing-claim';
}

/** Violations the server fixes itself (by deleting the relation) instead of refusing the update. */
export const REPAIRABLE: ReadonlySet<DocViolation['reason']> = new Set(['relation-to-deleted-claim']);

function checkRelation(id: string, m: unknown, isNew: boolean, claims: Y.Map<YClaim>, rels: Y.Map<YRelation>, out: DocViolation[]): void {
  if (!(m instanceof Y.Map)) {
    out.push({ reason: 'relation-field-invalid', id, detail: 'relation is not a map' });
    return;
  }
  if (isNew) checkId(id, out);
  const raw = m.get('kind');
  const kind = raw === undefined ? 'supports' : raw;
  if (!RELATION_KINDS.includes(kind as RelationKind)) {
    out.push({ reason: 'unknown-relation-kind', id, detail: `kind ${String(kind)}` });
    return;
  }
  const from = m.get('from');
  const to = m.get('to');
  if (typeof from !== 'string' || !claims.has(from))
    out.push({ reason: missingReason(claims, from, id), id, detail: `from ${String(from)}` });
  const targetOk = typeof to === 'string' && (kind === 'undercuts' ? rels.has(to) && to !== id : claims.has(to));
  if (!targetOk) out.push({ reason: missingReason(kind === 'undercuts' ? rels : claims, to, id), id, detail: `to ${String(to)}` });
  const group = m.get('group');
  if (!absentOr(group, (g) => typeof g === 'string' && g.length <= MAX_GROUP))
    out.push({ reason: 'relation-field-invalid', id, detail: 'group' });
  if (!absentOr(m.get('author'), isAuthor)) out.push({ reason: 'relation-field-invalid', id, detail: 'author' });
  if (!absentOr(m.get('createdAt'), isFiniteNumber)) out.push({ reason: 'relation-field-invalid', id, detail: 'createdAt' });
}

/**
 * Checks the document against the schema: whatever it accepts, readGraph turns into claims and
 * relations that claimSchema and relationSchema accept (dangling relations aside, which the
 * reasons name). With `touched`, only those claims and relations are checked (plus relations
 * pointing at touched claims or relations) — the server's per-update path; without it,
 * everything (used after load and in tests).
 */
export function validateDoc(doc: Y.Doc, touched?: Touched): DocViolation[] {
  const out: DocViolation[] = [];
  const claims = claimsMap(doc);
  const rels = relationsMap(doc);
  const roots = touched ? touched.roots : new Set(doc.share.keys());
  for (const name of roots) if (!KNOWN_ROOTS.has(name)) out.push({ reason: 'unknown-root', detail: name });
  const v = metaMap(doc).get('schemaVersion');
  if (v !== undefined && v !== DOC_SCHEMA_VERSION) out.push({ reason: 'bad-schema-version', detail: String(v) });
  // Only a change that adds claims can break the limit; Y.Map.size walks every key, so skip it otherwise.
  if (!touched || (touched.newClaims ?? touched.claims).size > 0) {
    if (claims.size > MAX_CLAIMS) out.push({ reason: 'too-many-claims', detail: `${claims.size} > ${MAX_CLAIMS}` });
  }
  if (!touched) {
    claims.forEach((m, id) => checkClaim(id, m, true, out));
    rels.forEach((m, id) => checkRelation(id, m, true, claims, rels, out));
    return out;
  }
  for (const id of touched.claims) {
    const m = claims.get(id);
    if (m !== undefined) checkClaim(id, m, touched.newClaims?.has(id) ?? false, out);
  }
  const relIds = new Set(touched.relations);
  // A deleted claim or relation must not leave a dangling relation behind.
  const gone = touched.removed;
  if (gone ? gone.size > 0 : touched.claims.size > 0 || touched.relations.size > 0) {
    const hit = (id: string) => (gone ? gone.has(id) : touched.claims.has(id) || touched.relations.has(id));
    rels.forEach((m, id) => {
      if (relIds.has(id) || !(m instanceof Y.Map)) return;
      if (hit(m.get('from') as string) || hit(m.get('to') as string)) relIds.add(id);
    });
  }
  for (const id of relIds) {
    const m = rels.get(id);
    if (m !== undefined) checkRelation(id, m, touched.newRelations?.has(id) ?? false, claims, rels, out);
  }
  return out;
}

/** Which claims, relations and roots a transaction changed: feeds validateDoc's `touched`. */
export function touchedBy(tr: Y.Transaction): Required<Touched> {
  const claims = new Set<string>();
  const relations = new Set<string>();
  const roots = new Set<string>();
  const newClaims = new Set<string>();
  const newRelations = new Set<string>();
  const removed = new Set<string>();
  // Name the roots from doc.share without calling getMap: on a doc loaded with applyUpdate the
  // roots are untyped until first requested, and getMap swaps in a new object that the types
  // in tr.changed would no longer match.
  const rootNames = new Map<unknown, string>();
  for (const [name, root] of tr.doc.share) rootNames.set(root, name);
  for (const [type, keys] of tr.changed) {
    let t: Y.AbstractType<unknown> = type as Y.AbstractType<unknown>;
    let key: string | null = null;
    while (t._item !== null) {
      key = t._item.parentSub;
      t = t._item.parent as Y.AbstractType<unknown>;
    }
    const name = rootNames.get(t);
    if (name === undefined) continue;
    roots.add(name);
    const ids = type === t ? [...keys].filter((k): k is string => k !== null) : key !== null ? [key] : [];
    const [touchedIds, newIds] = name === 'claims' ? [claims, newClaims] : name === 'relations' ? [relations, newRelations] : [];
    if (!touchedIds || !newIds) continue;
    for (const id of ids) {
      touchedIds.add(id);
      if (type !== t) continue;
      if (gainedValue(t, id, tr)) newIds.add(id);
      const now = t._map.get(id);
      if (now === undefined || now.deleted) removed.add(id);
    }
  }
  return { claims, relations, roots, newClaims, newRelations, removed };
}

/**
 * Did `key` of a map go from no value to a value in `tr`? A map key's history is a chain of
 * items, newest on the right; the items `tr` added sit at the right end, so the first one to
 * their left is the value before `tr`, if any.
 */
function gainedValue(map: Y.AbstractType<unknown>, key: string, tr: Y.Transaction): boolean {
  const latest = map._map.get(key);
  if (latest === undefined || latest.deleted) return false;
  const addedInTr = (item: Y.Item): boolean => item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
  let before: Y.Item | null = latest;
  while (before !== null && addedInTr(before)) before = before.left;
  return before === null || (before.deleted && !Y.isDeleted(tr.deleteSet, before.id));
}
