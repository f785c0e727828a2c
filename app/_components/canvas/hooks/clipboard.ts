import type * as Y from 'yjs';
import { z } from 'zod';
import { CLAIM_KINDS, MAX_CLAIM_TEXT, MAX_TAGS, MAX_TAG_LENGTH } from '@/lib/model/claim';
import { addClaim, addRelation, newId } from '@/lib/model/doc';
import type { ArgumentGraph } from '@/lib/model/graph';
import { RELATION_KINDS } from '@/lib/model/relation';

/**
 * Copy and paste of claims through the system clipboard, as JSON in text/plain so it survives
 * any browser, tab and debate. The `type` field marks it as ours: pasting text that is not
 * (a sentence from elsewhere) is left to the caller, e.g. to create one claim with that text.
 */
export const CLIPBOARD_MARKER = 'application/x-crux';
export const CLIPBOARD_VERSION = 1;
/** More than anyone selects by hand; a bound on what a paste can add in one go. */
export const MAX_PASTE_CLAIMS = 500;
/** A paste lands this far right and down of the original, so both stay visible. */
export const PASTE_OFFSET = 40;

const localId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

const payloadSchema = z.object({
  type: z.literal(CLIPBOARD_MARKER),
  version: z.literal(CLIPBOARD_VERSION),
  claims: z
    .array(
      z.object({
        id: localId,
        kind: z.enum(CLAIM_KINDS),
        text: z.string().max(MAX_CLAIM_TEXT),
        x: z.number().finite(),
        y: z.number().finite(),
        tags: z.array(z.string().min(1).max(MAX_TAG_LENGTH)).max(MAX_TAGS),
      }),
    )
    .min(1)
    .max(MAX_PASTE_CLAIMS),
  relations: z
    .array(z.object({ id: localId, from: localId, to: localId, kind: z.enum(RELATION_KINDS), group: z.string().max(64) }))
    .max(MAX_PASTE_CLAIMS * 4),
});
export type ClipboardPayload = z.infer<typeof payloadSchema>;

/**
 * The selected claims and the relations among them: supports and attacks with both ends
 * selected, and undercuts by a selected claim of such a relation (transitively). Null when
 * nothing of the selection exists.
 */
export function copySelection(graph: ArgumentGraph, ids: ReadonlySet<string>): ClipboardPayload | null {
  const claims = graph.claims.filter((c) => ids.has(c.id)).slice(0, MAX_PASTE_CLAIMS);
  if (claims.length === 0) return null;
  const kept = new Set(claims.map((c) => c.id));
  const rels = new Set<string>();
  for (const r of graph.relations) if (r.kind !== 'undercuts' && kept.has(r.from) && kept.has(r.to)) rels.add(r.id);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of graph.relations)
      if (r.kind === 'undercuts' && !rels.has(r.id) && kept.has(r.from) && rels.has(r.to)) {
        rels.add(r.id);
        grew = true;
      }
  }
  return {
    type: CLIPBOARD_MARKER,
    version: CLIPBOARD_VERSION,
    claims: claims.map((c) => ({ id: c.id, kind: c.kind, text: c.text, x: c.x, y: c.y, tags: c.tags })),
    relations: graph.relations
      .filter((r) => rels.has(r.id))
      .map((r) => ({ id: r.id, from: r.from, to: r.to, kind: r.kind, group: r.group })),
  };
}

export const serializeClipboard = (p: ClipboardPayload): string => JSON.stringify(p);

/** The payload in clipboard text, or null when the text is not a valid Crux copy. */
export function parseClipboard(text: string): ClipboardPayload | null {
  if (!text.includes(CLIPBOARD_MARKER)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export interface PasteOptions {
  author: string;
  origin: unknown;
  /** Where the top-left of the pasted group goes; default: PASTE_OFFSET from where it was copied. */
  at?: { x: number; y: number };
  random?: () => number;
  now?: number;
}

/**
 * Adds the payload's claims and relations under new ids, in one transaction (one undo step).
 * Relations whose ends are not in the payload are dropped, so a hand-edited clipboard cannot
 * make dangling relations. Returns the new claim ids, in payload order.
 */
export function pasteClipboard(doc: Y.Doc, p: ClipboardPayload, opts: PasteOptions): string[] {
  const minX = Math.min(...p.claims.map((c) => c.x));
  const minY = Math.min(...p.claims.map((c) => c.y));
  const dx = opts.at ? opts.at.x - minX : PASTE_OFFSET;
  const dy = opts.at ? opts.at.y - minY : PASTE_OFFSET;
  const claimIds = new Map<string, string>();
  const relIds = new Map<string, string>();
  const groups = new Map<string, string>();
  const fresh = () => newId(opts.random);
  for (const c of p.claims) if (!claimIds.has(c.id)) claimIds.set(c.id, fresh());
  for (const r of p.relations) if (!relIds.has(r.id)) relIds.set(r.id, fresh());
  const out: string[] = [];
  doc.transact(() => {
    const seen = new Set<string>();
    for (const c of p.claims) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      const id = claimIds.get(c.id)!;
      addClaim(
        doc,
        {
          id,
          kind: c.kind,
          text: c.text,
          x: Math.round(c.x + dx),
          y: Math.round(c.y + dy),
          tags: c.tags,
          author: opts.author,
          now: opts.now,
        },
        opts.origin,
      );
      out.push(id);
    }
    // Supports and attacks first, then undercuts in dependency order, so each target exists.
    const pending = p.relations.filter((r, i, all) => all.findIndex((o) => o.id === r.id) === i);
    const added = new Set<string>();
    let progress = true;
    while (progress) {
      progress = false;
      for (const r of pending) {
        if (added.has(r.id)) continue;
        const from = claimIds.get(r.from);
        const to = r.kind === 'undercuts' ? (added.has(r.to) ? relIds.get(r.to) : undefined) : claimIds.get(r.to);
        if (!from || !to || from === to) continue;
        let group = '';
        if (r.group) {
          group = groups.get(r.group) ?? fresh();
          groups.set(r.group, group);
        }
        addRelation(doc, { id: relIds.get(r.id)!, from, to, kind: r.kind, group, author: opts.author, now: opts.now }, opts.origin);
        added.add(r.id);
        progress = true;
      }
    }
  }, opts.origin);
  return out;
}
