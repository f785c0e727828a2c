import type { Claim, ClaimKind } from './model/claim';
import type { ArgumentGraph } from './model/graph';
import type { Relation } from './model/relation';

/**
 * The argument map as an outline: a tree for reading top-down, for keyboards and screen readers.
 *
 * Roots are the claims that argue about nothing: theses first, then questions, then claims not
 * connected yet — in that order, each group oldest first. A thesis that itself argues about
 * another claim (the launch debate's theses answer its question) is shown under that claim, not
 * a second time at the top, so the main tree is not printed twice.
 *
 * Under a claim come its supporting arguments, then its attacking ones, then the undercuts of the
 * relation that links the claim to the item above it (an undercut attacks that inference, so it is
 * shown beside the premise it undercuts). Each group is oldest first.
 *
 * A claim with several parents appears under each. The first occurrence (in this order, depth
 * first) is expanded; later ones are marked `repeat` and show only the undercuts of their own
 * relation, which appear nowhere else. A claim found among its own ancestors is marked `cycle` and
 * is not expanded either (its relation's undercuts aside), so cycles end. Every relation is shown at most once, so the outline has
 * at most as many items as the map has claims plus relations.
 *
 * Claims reached from no root (only inside a cycle) are added as further roots, so every claim
 * is somewhere in the outline.
 */

export type OutlineMarker = 'first' | 'repeat' | 'cycle';

export interface OutlineItem {
  /** Unique per occurrence: the root's claim id, then the relation ids down to this item. */
  key: string;
  claim: Claim;
  /** The relation linking this item to the one above it; null for roots. */
  relation: Relation | null;
  /** 0 for roots (aria-level is depth + 1). */
  depth: number;
  marker: OutlineMarker;
  parentKey: string | null;
  children: OutlineItem[];
}

const KIND_ORDER: Record<ClaimKind, number> = { thesis: 0, question: 1, claim: 2 };
const byAge = (a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function buildOutline(graph: ArgumentGraph): OutlineItem[] {
  const claims = new Map(graph.claims.map((c) => [c.id, c]));
  const relations = new Map(graph.relations.map((r) => [r.id, r]));
  /** supports/attacks into a claim, by target claim id. */
  const argumentsOf = new Map<string, Relation[]>();
  /** undercuts of a relation, by relation id. */
  const undercutsOf = new Map<string, Relation[]>();
  const hasParent = new Set<string>();
  for (const r of graph.relations) {
    if (!claims.has(r.from) || r.from === r.to) continue;
    if (r.kind === 'undercuts') {
      const target = relations.get(r.to);
      if (!target || !claims.has(target.from) || (target.kind !== 'undercuts' && !claims.has(target.to))) continue;
      push(undercutsOf, r.to, r);
      hasParent.add(r.from);
    } else if (claims.has(r.to)) {
      push(argumentsOf, r.to, r);
      hasParent.add(r.from);
    }
  }
  for (const list of argumentsOf.values()) list.sort((a, b) => kindRank(a) - kindRank(b) || byAge(a, b));
  for (const list of undercutsOf.values()) list.sort(byAge);

  const expanded = new Set<string>();
  const build = (claim: Claim, relation: Relation | null, parent: OutlineItem | null, path: ReadonlySet<string>): OutlineItem => {
    const key = parent ? `${parent.key}/${relation?.id ?? ''}` : claim.id;
    const marker: OutlineMarker = path.has(claim.id) ? 'cycle' : expanded.has(claim.id) ? 'repeat' : 'first';
    const item: OutlineItem = {
      key,
      claim,
      relation,
      depth: parent ? parent.depth + 1 : 0,
      marker,
      parentKey: parent?.key ?? null,
      children: [],
    };
    const inner = new Set(path).add(claim.id);
    if (marker === 'first') {
      expanded.add(claim.id);
      for (const r of argumentsOf.get(claim.id) ?? []) item.children.push(build(claims.get(r.from)!, r, item, inner));
    }
    // Undercuts belong to this occurrence's relation, shown nowhere else, so even a repeat or a
    // cycle marker lists them. Each undercutter adds a claim to the path, so this ends too.
    if (relation) for (const u of undercutsOf.get(relation.id) ?? []) item.children.push(build(claims.get(u.from)!, u, item, inner));
    return item;
  };

  const roots: OutlineItem[] = [];
  const parentless = graph.claims
    .filter((c) => !hasParent.has(c.id))
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byAge(a, b));
  for (const c of parentless) roots.push(build(c, null, null, new Set()));
  const rest = graph.claims.filter((c) => !expanded.has(c.id)).sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byAge(a, b));
  for (const c of rest) if (!expanded.has(c.id)) roots.push(build(c, null, null, new Set()));
  return roots;
}

const kindRank = (r: Relation): number => (r.kind === 'supports' ? 0 : 1);

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * The items a tree view shows, in order: roots and the descendants of expanded items. The
 * keyboard moves through this list (WAI-ARIA tree pattern: Down is the next visible item).
 */
export function visibleItems(roots: readonly OutlineItem[], isExpanded: (item: OutlineItem) => boolean): OutlineItem[] {
  const out: OutlineItem[] = [];
  const walk = (items: readonly OutlineItem[]) => {
    for (const it of items) {
      out.push(it);
      if (it.children.length > 0 && isExpanded(it)) walk(it.children);
    }
  };
  walk(roots);
  return out;
}

/** Every item, depth first, e.g. to find the occurrences of a claim. */
export function allItems(roots: readonly OutlineItem[]): OutlineItem[] {
  return visibleItems(roots, () => true);
}
