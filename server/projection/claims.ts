import * as Y from 'yjs';
import { claimsMap, ensureRoots } from '../../lib/model/doc';
import { LIVE_TOPICS } from '../../lib/schemas/evidence';
import type { Database } from '../db/client';
import type { SqlTx } from '../db/sql';
import { notify } from '../live/bus';
import { SqlDocStore } from '../persistence/docStore';
import type { Room, RoomHooks } from '../rooms/room';

/**
 * Keeps the DebateClaim table in step with the debates' documents, so that SQL can reference
 * claims (evidence, votes) and search them.
 *
 * Each durable update marks its debate dirty; the debate is projected PROJECT_DELAY_MS later,
 * once for everything that arrived meanwhile (a burst of typing is one write, and the delay
 * bounds how stale the table can be). Projecting diffs the document against what this process
 * last wrote for the debate (read from the table the first time): changed claims are upserted
 * with deleted = false — which is also how an undone deletion comes back — and claims gone from
 * the document are flagged deleted. Rows are never removed, so evidence keeps its claim.
 */
export interface Projection {
  hooks: RoomHooks;
  /** Writes everything still pending (shutdown, tests). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** At most this long between a durable claim edit and its row. */
export const PROJECT_DELAY_MS = 200;
const RETRY_MS = 2000;

export interface ProjectedClaim {
  text: string;
  kind: string;
}
type Row = ProjectedClaim & { deleted: boolean };

export interface ProjectResult {
  upserted: number;
  deleted: number;
}

/**
 * A text column cannot hold NUL, which a claim's Y.Text can (the sync protocol carries any
 * Unicode; a lone surrogate is already U+FFFD on the wire). The row gets U+FFFD in its place; the
 * document keeps what was typed. Left as it was, one such claim would fail every projection of
 * its debate and freeze the table.
 */
const storableText = (s: string): string => (s.includes('\u0000') ? s.replaceAll('\u0000', '\ufffd') : s);

/** The claims a document holds (of `scope`, when given), as the projection stores them. */
export function readProjectedClaims(doc: Y.Doc, scope?: ReadonlySet<string>): Map<string, ProjectedClaim> {
  const out = new Map<string, ProjectedClaim>();
  const read = (m: unknown, id: string) => {
    if (!(m instanceof Y.Map)) return;
    const text = m.get('text');
    const kind = m.get('kind');
    out.set(id, { text: text instanceof Y.Text ? storableText(text.toString()) : '', kind: typeof kind === 'string' ? kind : 'claim' });
  };
  const claims = claimsMap(doc);
  if (scope) for (const id of scope) read(claims.get(id), id);
  else claims.forEach(read);
  return out;
}

async function loadRows(tx: Pick<SqlTx, 'query'>, debateId: string): Promise<Map<string, Row>> {
  const rows = await tx.query<{ claimId: string; text: string; kind: string; deleted: boolean }>(
    'SELECT "claimId", "text", "kind", "deleted" FROM "DebateClaim" WHERE "debateId" = $1',
    [debateId],
  );
  return new Map(rows.map((r) => [r.claimId, { text: r.text, kind: r.kind, deleted: r.deleted }]));
}

interface ProjectionDiff {
  /** Claims to upsert (new, changed, or back from deletion), with their text and kind. */
  ids: string[];
  texts: string[];
  kinds: string[];
  /** Claims to flag deleted. */
  gone: string[];
}

/** What writing `claims` (of `scope`, when given) over the rows `before` would change. */
function diffProjection(before: Map<string, Row>, claims: Map<string, ProjectedClaim>, scope?: ReadonlySet<string>): ProjectionDiff {
  const d: ProjectionDiff = { ids: [], texts: [], kinds: [], gone: [] };
  for (const [id, c] of claims) {
    const old = before.get(id);
    if (old && !old.deleted && old.text === c.text && old.kind === c.kind) continue;
    d.ids.push(id);
    d.texts.push(c.text);
    d.kinds.push(c.kind);
  }
  const isGone = (id: string) => before.get(id)?.deleted === false && !claims.has(id);
  if (scope) {
    for (const id of scope) if (isGone(id)) d.gone.push(id);
  } else for (const id of before.keys()) if (isGone(id)) d.gone.push(id);
  return d;
}

/**
 * Brings one debate's rows in line with `claims`. `known` is what the table holds (loaded when
 * absent) and is updated in place to what it holds afterwards.
 */
export async function writeProjection(
  tx: Pick<SqlTx, 'query'>,
  debateId: string,
  claims: Map<string, ProjectedClaim>,
  known?: Map<string, Row>,
  scope?: ReadonlySet<string>,
): Promise<ProjectResult & { known: Map<string, Row> }> {
  const before = known ?? (await loadRows(tx, debateId));
  const { ids, texts, kinds, gone } = diffProjection(before, claims, scope);
  if (ids.length > 0)
    await tx.query(
      `INSERT INTO "DebateClaim" ("debateId", "claimId", "text", "kind", "deleted", "updatedAt")
       SELECT $1, c.id, c.text, c.kind, false, now() FROM unnest($2::text[], $3::text[], $4::text[]) AS c(id, text, kind)
       ON CONFLICT ("debateId", "claimId") DO UPDATE
         SET "text" = EXCLUDED."text", "kind" = EXCLUDED."kind", "deleted" = false, "updatedAt" = now()`,
      [debateId, ids, texts, kinds],
    );
  if (gone.length > 0)
    await tx.query(`UPDATE "DebateClaim" SET "deleted" = true, "updatedAt" = now() WHERE "debateId" = $1 AND "claimId" = ANY($2::text[])`, [
      debateId,
      gone,
    ]);
  ids.forEach((id, i) => before.set(id, { text: texts[i]!, kind: kinds[i]!, deleted: false }));
  for (const id of gone) before.get(id)!.deleted = true;
  return { upserted: ids.length, deleted: gone.length, known: before };
}

/** Did the set of live claims change (not just texts)? Clients only refetch evidence then. */
const membershipChanged = (
  before: Map<string, Row> | undefined,
  claims: Map<string, ProjectedClaim>,
  scope?: ReadonlySet<string>,
): boolean => {
  if (!before) return true;
  for (const id of claims.keys()) if (before.get(id)?.deleted !== false) return true;
  if (scope) {
    for (const id of scope) if (before.get(id)?.deleted === false && !claims.has(id)) return true;
  } else for (const [id, r] of before) if (!r.deleted && !claims.has(id)) return true;
  return false;
};

/** Reads the stored document (snapshot + log), for a debate no room holds in memory. */
export async function loadStoredDoc(db: Database, debateId: string): Promise<Y.Doc> {
  const loaded = await new SqlDocStore(db.sql).load(debateId);
  const doc = new Y.Doc();
  ensureRoots(doc);
  Y.transact(doc, () => {
    for (const u of loaded.updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

/**
 * Debates whose stored document has content but which have no projected claim at all: debates
 * from before the projection existed, or a crash within PROJECT_DELAY_MS of a new debate's first
 * claims. An empty document (a new debate) is a few dozen bytes.
 */
const UNPROJECTED_SQL = `
  SELECT d."id" FROM "Debate" d
   WHERE NOT EXISTS (SELECT 1 FROM "DebateClaim" c WHERE c."debateId" = d."id")
     AND (EXISTS (SELECT 1 FROM "DocUpdate" u WHERE u."debateId" = d."id")
          OR EXISTS (SELECT 1 FROM "DocSnapshot" s WHERE s."debateId" = d."id" AND octet_length(s."data") > 64))`;

interface DebateState {
  id: string;
  room: Room;
  timer?: NodeJS.Timeout;
  dirty: boolean;
  /** What the table holds for this debate, as of this process's last write. */
  known?: Map<string, Row>;
  /** The claims changed since the last pass, or 'all' (a remote update, a reload, a failure). */
  scope?: Set<string> | 'all';
}

export function createProjection(db: Database): Projection {
  // Keyed by room, weakly: an unloaded room's cache goes when the room does.
  const states = new WeakMap<Room, DebateState>();
  const pending = new Set<DebateState>();
  /** Per debate, the projection running now: a debate's projections never overlap, even across a room reload. */
  const tails = new Map<string, Promise<void>>();
  let closed = false;

  /** Serialises work on one debate behind whatever runs for it now. */
  const enqueue = (id: string, work: () => Promise<void>): Promise<void> => {
    const next = (tails.get(id) ?? Promise.resolve()).then(work);
    const settled = next.catch(() => undefined);
    tails.set(id, settled);
    void settled.then(() => {
      if (tails.get(id) === settled) tails.delete(id);
    });
    return next;
  };

  const project = async (s: DebateState): Promise<void> => {
    s.dirty = false;
    // Only the claims the room's commits touched since the last pass are read (a 10,000-claim
    // debate is not re-read for one edit), unless what the table holds is not known here.
    const scope = s.known && s.scope instanceof Set ? s.scope : undefined;
    s.scope = undefined;
    // An unloaded room's document is destroyed; everything it held is durable, so read the store.
    const ownDoc = s.room.destroyed ? await loadStoredDoc(db, s.id) : undefined;
    try {
      const claims = readProjectedClaims(ownDoc ?? s.room.doc, scope);
      // Moves and other edits that leave every text and kind as they were write nothing: no
      // transaction either (a drag is 10 moves a second, each would cost a BEGIN/COMMIT pair).
      if (s.known) {
        const d = diffProjection(s.known, claims, scope);
        if (d.ids.length === 0 && d.gone.length === 0) return;
      }
      const changedMembership = membershipChanged(s.known, claims, scope);
      const res = await db.sql.transaction((tx) => writeProjection(tx, s.id, claims, s.known, scope));
      s.known = res.known;
      if (changedMembership && (res.upserted > 0 || res.deleted > 0)) await notify(db, { debateId: s.id, topic: LIVE_TOPICS.claims });
    } finally {
      ownDoc?.destroy();
    }
  };

  const run = (s: DebateState): Promise<void> => {
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    return enqueue(s.id, () => (s.dirty ? project(s) : Promise.resolve()))
      .catch((e: unknown) => {
        // The rows stay as they were until a retry succeeds (the evidence service also projects
        // on demand when it misses a claim).
        s.known = undefined;
        s.dirty = true;
        if (!closed) s.timer ??= setTimeout(() => void run(s), RETRY_MS);
        console.error(`[projection] ${s.id}:`, e instanceof Error ? e.message : e);
      })
      .finally(() => {
        if (!s.dirty && !s.timer) pending.delete(s);
      });
  };

  // Started, not awaited: startup does not wait for it, and rooms project as usual meanwhile.
  const backfill = (async () => {
    const ids = await db.sql.query<{ id: string }>(UNPROJECTED_SQL);
    for (const { id } of ids) {
      if (closed) return;
      await enqueue(id, async () => {
        const doc = await loadStoredDoc(db, id);
        try {
          const claims = readProjectedClaims(doc);
          await db.sql.transaction((tx) => writeProjection(tx, id, claims));
        } finally {
          doc.destroy();
        }
      }).catch((e: unknown) => console.error(`[projection] backfill of ${id}:`, e instanceof Error ? e.message : e));
    }
  })().catch((e: unknown) => console.error('[projection] backfill:', e instanceof Error ? e.message : e));

  const markDirty = (room: Room, forget: boolean, claims?: ReadonlySet<string>) => {
    if (closed) return;
    let s = states.get(room);
    if (!s) states.set(room, (s = { id: room.id, room, dirty: false }));
    s.dirty = true;
    // Another instance (server/scale) projects its own edits into the same rows: what this
    // process last wrote is no longer what the table holds, so the next pass reads it afresh.
    if (forget) s.known = undefined;
    if (forget || !claims) s.scope = 'all';
    else if (s.scope !== 'all') {
      const scope = s.scope ?? new Set<string>();
      for (const id of claims) scope.add(id);
      s.scope = scope;
    }
    pending.add(s);
    const state = s;
    state.timer ??= setTimeout(() => void run(state), PROJECT_DELAY_MS);
  };
  const hooks: RoomHooks = {
    onClaimsTouched: (room, claims) => markDirty(room, false, claims),
    onRemoteUpdate: (room) => markDirty(room, true),
  };

  const flush = async (): Promise<void> => {
    await Promise.all([...pending].map(run));
  };

  return {
    hooks,
    flush,
    close: async () => {
      closed = true;
      await flush();
      await backfill;
      await Promise.all([...tails.values()]);
    },
  };
}
