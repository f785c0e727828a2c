import type { Claim } from '../model/claim';
import type { Relation } from '../model/relation';
import { collapseWhitespace } from './text';
import { isWebUrl, type DebateBundle, type ExportResult, type FormatWarning } from './types';

/*
 * A readable Markdown outline, for pasting into documents and issue trackers (export only).
 *
 *   # Title
 *   Description
 *   ## Thesis text (strength 0.72)
 *   - **Pro:** reason (strength 0.61) — sources: [Survey](https://…)
 *     - **Con:** objection
 *   - **Pro (linked):**
 *     - first premise
 *     - second premise
 *   - **Con:** objection
 *     - **Undercut:** why the objection does not bear on the thesis
 *
 * Each root (theses first, then claims that argue for nothing) gets a section; supports come
 * before attacks, undercuts sit under the relation they attack. A claim reached a second time is
 * written once more with "(see above)" and not expanded, which keeps cycles finite.
 */

export interface MarkdownOptions {
  /** Per-claim strength (e.g. DF-QuAD scores), written as `(strength 0.72)`. */
  scores?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
}

function escapeMarkdown(s: string): string {
  return collapseWhitespace(s).replace(/[\\`*_[\]<>]/g, '\\$&');
}

export function exportMarkdown(bundle: DebateBundle, options: MarkdownOptions = {}): ExportResult {
  const warnings: FormatWarning[] = [];
  const { claims, relations } = bundle.graph;
  const claimById = new Map(claims.map((c) => [c.id, c]));
  const scores = options.scores;
  const scoreOf = (id: string): number | undefined =>
    scores === undefined ? undefined : scores instanceof Map ? scores.get(id) : (scores as Readonly<Record<string, number>>)[id];

  const incoming = new Map<string, Relation[]>();
  const undercutsOf = new Map<string, Relation[]>();
  const hasOutgoing = new Set<string>();
  for (const r of relations) {
    if (!claimById.has(r.from)) continue;
    hasOutgoing.add(r.from);
    const map = r.kind === 'undercuts' ? undercutsOf : incoming;
    const list = map.get(r.to);
    if (list) list.push(r);
    else map.set(r.to, [r]);
  }

  const sourceById = new Map(bundle.sources.map((s) => [s.id, s]));
  const evidenceOf = new Map<string, string[]>();
  for (const ev of bundle.evidence) {
    const s = sourceById.get(ev.sourceId);
    if (!s) continue;
    const label = escapeMarkdown(s.title || s.url || 'source');
    let item = s.url !== null && isWebUrl(s.url) ? `[${label}](${s.url.replace(/\)/g, '%29')})` : `*${label}*`;
    if (ev.stance === 'contradicts') item += ' (contradicting)';
    else if (ev.stance === 'context') item += ' (context)';
    const list = evidenceOf.get(ev.claimId);
    if (list) list.push(item);
    else evidenceOf.set(ev.claimId, [item]);
  }

  const label = (c: Claim): string => {
    let s = escapeMarkdown(c.text) || '*(empty)*';
    const score = scoreOf(c.id);
    if (score !== undefined && Number.isFinite(score)) s += ` (strength ${score.toFixed(2)})`;
    const ev = evidenceOf.get(c.id);
    if (ev) s += ` — sources: ${ev.join(', ')}`;
    return s;
  };

  const out: string[] = [];
  const visited = new Set<string>();
  const pad = (depth: number): string => '  '.repeat(depth);

  const undercutItems = (relIds: readonly string[], depth: number): void => {
    for (const id of relIds) for (const u of undercutsOf.get(id) ?? []) item(claimById.get(u.from)!, '**Undercut:** ', depth, [u.id]);
  };

  /** One bullet for a claim, then everything arguing about it (or about the relation `via`). */
  const item = (c: Claim, prefix: string, depth: number, via: readonly string[]): void => {
    if (visited.has(c.id)) {
      out.push(`${pad(depth)}- ${prefix}${label(c)} *(see above)*`);
      undercutItems(via, depth + 1);
      return;
    }
    visited.add(c.id);
    out.push(`${pad(depth)}- ${prefix}${label(c)}`);
    undercutItems(via, depth + 1);
    children(c, depth + 1);
  };

  const children = (c: Claim, depth: number): void => {
    const rels = incoming.get(c.id) ?? [];
    for (const kind of ['supports', 'attacks'] as const) {
      const done = new Set<string>();
      for (const r of rels) {
        if (r.kind !== kind || done.has(r.id)) continue;
        const word = kind === 'supports' ? 'Pro' : 'Con';
        const members = r.group === '' ? [r] : rels.filter((m) => m.kind === kind && m.group === r.group);
        members.forEach((m) => done.add(m.id));
        if (members.length === 1) {
          item(claimById.get(r.from)!, `**${word}:** `, depth, [r.id]);
          continue;
        }
        out.push(`${pad(depth)}- **${word} (linked):**`);
        undercutItems(
          members.map((m) => m.id),
          depth + 1,
        );
        for (const m of members) item(claimById.get(m.from)!, '', depth + 1, []);
      }
    }
  };

  out.push(`# ${escapeMarkdown(bundle.title) || 'Untitled debate'}`, '');
  if (bundle.description.trim() !== '') out.push(bundle.description.trim(), '');
  const section = (c: Claim): void => {
    visited.add(c.id);
    out.push(`## ${label(c)}`, '');
    const before = out.length;
    children(c, 0);
    if (out.length > before) out.push('');
  };
  const roots = claims.filter((c) => !hasOutgoing.has(c.id));
  for (const c of [...roots.filter((c) => c.kind === 'thesis'), ...roots.filter((c) => c.kind !== 'thesis')]) section(c);
  for (const c of claims) if (!visited.has(c.id)) section(c);
  for (const r of relations) if (!claimById.has(r.from)) warnings.push({ message: `relation ${r.id} starts at a missing claim; omitted` });
  while (out[out.length - 1] === '') out.pop();
  return { text: `${out.join('\n')}\n`, warnings };
}
