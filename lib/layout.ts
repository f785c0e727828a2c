import dagre from '@dagrejs/dagre';
import type { ArgumentGraph } from './model/graph';

/**
 * Automatic layout of an argument map, top-down: every argument sits below what it argues about
 * (a relation from→to puts `from` under `to`), so theses and root questions head the map and
 * reasons hang beneath them.
 *
 * How it is built:
 *  1. dagre ranks the claims with one edge per relation, drawn parent → child (the reverse of the
 *     relation's direction), so rankdir TB puts parents above. An undercut attacks the inference
 *     of a relation, not a claim; its author sits beside that relation's premise in the outline,
 *     so here it hangs below the premise (`relation.from`).
 *  2. Every parentless claim (thesis, root question, or a claim not yet connected) is tied to one
 *     invisible super-root with a heavy edge. Network simplex otherwise lowers a root towards its
 *     children when one of them is deep in another branch; the heavy edge keeps all roots on the
 *     top row. Cycles need nothing: dagre breaks them by reversing an edge, so they lay out as
 *     if acyclic, with one edge pointing down.
 *  3. Pinned claims. dagre cannot hold a node at a given point, so the whole map is laid out with
 *     the pinned claims in it (they shape the structure like any other claim), then the free
 *     claims are translated by the mean offset between the pinned claims' current positions and
 *     the positions dagre gave them — with one pinned claim, the layout is anchored exactly on it.
 *     Pinned claims keep their current positions. When several are pinned in an arrangement
 *     dagre would not have chosen, a free claim can land on one of them; each such free claim
 *     pushes its row right of the pinned claim, keeping the row's spacing.
 *     With nothing pinned, the layout's top-left corner is put at the current map's top-left, so
 *     the map re-arranges in place instead of jumping to the origin.
 *
 * Positions are top-left corners (React Flow's node.position), rounded to whole pixels.
 */

export interface Size {
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Claims that must not move. Ids not in the graph are ignored. */
  pinned?: ReadonlySet<string>;
  /** One size for all claims, or a size per claim (e.g. React Flow's measured size). */
  nodeSize?: Size | ((id: string) => Size | undefined);
  /** Horizontal gap between claims in a row. */
  nodeGap?: number;
  /** Vertical gap between rows. */
  rankGap?: number;
}

/** The canvas draws claims 260 px wide; 110 px is a typical two-line claim with its kind label. */
export const DEFAULT_NODE_SIZE: Size = { width: 260, height: 110 };
const DEFAULT_NODE_GAP = 40;
const DEFAULT_RANK_GAP = 90;
/** Heavier than any realistic fan-out, so tying a root to the top row always wins. */
const ROOT_WEIGHT = 1000;
const SUPER_ROOT = '\u0000root';

export type Position = { x: number; y: number };

/** Parent → child pairs for the layout, one per related pair, without self-loops. */
export function layoutEdges(graph: ArgumentGraph): [parent: string, child: string][] {
  const claims = new Set(graph.claims.map((c) => c.id));
  const relations = new Map(graph.relations.map((r) => [r.id, r]));
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const r of graph.relations) {
    let parent: string | undefined;
    if (r.kind === 'undercuts') parent = relations.get(r.to)?.from;
    else parent = r.to;
    const child = r.from;
    if (parent === undefined || parent === child || !claims.has(parent) || !claims.has(child)) continue;
    const key = `${parent}\u0000${child}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push([parent, child]);
  }
  return out;
}

export function autoLayout(graph: ArgumentGraph, opts: LayoutOptions = {}): Map<string, Position> {
  const out = new Map<string, Position>();
  if (graph.claims.length === 0) return out;
  const sizeOf = (id: string): Size => {
    const s = typeof opts.nodeSize === 'function' ? opts.nodeSize(id) : opts.nodeSize;
    const size = s ?? DEFAULT_NODE_SIZE;
    return { width: positiveOr(size.width, DEFAULT_NODE_SIZE.width), height: positiveOr(size.height, DEFAULT_NODE_SIZE.height) };
  };
  const current = new Map(graph.claims.map((c) => [c.id, { x: c.x, y: c.y }]));
  const pinned = new Set([...(opts.pinned ?? [])].filter((id) => current.has(id)));

  const g = new dagre.graphlib.Graph();
  g.setGraph({
    rankdir: 'TB',
    nodesep: opts.nodeGap ?? DEFAULT_NODE_GAP,
    ranksep: opts.rankGap ?? DEFAULT_RANK_GAP,
    marginx: 0,
    marginy: 0,
  });
  g.setDefaultEdgeLabel(() => ({}));
  // Sorted ids make the layout independent of the document's key order, which differs by replica.
  const ids = [...current.keys()].sort();
  for (const id of ids) g.setNode(id, { ...sizeOf(id) });
  const edges = layoutEdges(graph).sort(([a1, b1], [a2, b2]) => cmp(a1, a2) || cmp(b1, b2));
  const hasParent = new Set<string>();
  for (const [parent, child] of edges) {
    g.setEdge(parent, child, { minlen: 1, weight: 1 });
    hasParent.add(child);
  }
  const roots = ids.filter((id) => !hasParent.has(id));
  if (roots.length > 0) {
    g.setNode(SUPER_ROOT, { width: 0, height: 0 });
    for (const id of roots) g.setEdge(SUPER_ROOT, id, { minlen: 1, weight: ROOT_WEIGHT });
  }
  dagre.layout(g);

  const laid = new Map<string, Position>();
  for (const id of ids) {
    const n = g.node(id) as { x: number; y: number; width: number; height: number };
    laid.set(id, { x: n.x - n.width / 2, y: n.y - n.height / 2 });
  }

  let dx = 0;
  let dy = 0;
  if (pinned.size > 0) {
    for (const id of pinned) {
      const c = current.get(id)!;
      const l = laid.get(id)!;
      dx += c.x - l.x;
      dy += c.y - l.y;
    }
    dx /= pinned.size;
    dy /= pinned.size;
  } else {
    dx = min([...current.values()].map((p) => p.x)) - min([...laid.values()].map((p) => p.x));
    dy = min([...current.values()].map((p) => p.y)) - min([...laid.values()].map((p) => p.y));
  }
  for (const id of ids) {
    const l = laid.get(id)!;
    out.set(id, pinned.has(id) ? { ...current.get(id)! } : { x: l.x + dx, y: l.y + dy });
  }
  if (pinned.size > 1) clearPinned(out, pinned, sizeOf, opts.nodeGap ?? DEFAULT_NODE_GAP);
  for (const [id, p] of out) out.set(id, { x: Math.round(p.x), y: Math.round(p.y) });
  return out;
}

/**
 * Moves free claims off pinned ones. A free claim overlapping a pinned claim shifts right past it,
 * together with every free claim to its right on the same row (dagre centres a row on one line), so the row keeps
 * dagre's spacing. Rows are scanned left to right until no free claim overlaps a pinned one; each
 * shift moves claims strictly right, so the loop ends.
 */
function clearPinned(pos: Map<string, Position>, pinned: ReadonlySet<string>, sizeOf: (id: string) => Size, gap: number): void {
  const free = [...pos.keys()].filter((id) => !pinned.has(id));
  const boxes = [...pinned].map((id) => ({ ...pos.get(id)!, ...sizeOf(id) }));
  for (let guard = 0; guard < free.length * boxes.length + 1; guard++) {
    let moved = false;
    free.sort((a, b) => pos.get(a)!.x - pos.get(b)!.x || cmp(a, b));
    for (const id of free) {
      const p = pos.get(id)!;
      const s = sizeOf(id);
      const hit = boxes.find((b) => p.x < b.x + b.width + gap && b.x < p.x + s.width + gap && p.y < b.y + b.height && b.y < p.y + s.height);
      if (!hit) continue;
      const shift = hit.x + hit.width + gap - p.x;
      const row = p.y + s.height / 2;
      for (const other of free) {
        const q = pos.get(other)!;
        if (Math.abs(q.y + sizeOf(other).height / 2 - row) < 0.5 && q.x >= p.x) pos.set(other, { x: q.x + shift, y: q.y });
      }
      moved = true;
      break;
    }
    if (!moved) return;
  }
}

const positiveOr = (v: number, d: number): number => (Number.isFinite(v) && v > 0 ? v : d);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const min = (xs: number[]): number => xs.reduce((m, x) => (x < m ? x : m), Infinity);
