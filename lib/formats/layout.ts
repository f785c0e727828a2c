import type { Claim } from '../model/claim';
import type { Relation } from '../model/relation';

/** Horizontal distance between neighbours in a layer, and between layers (canvas units). */
export const LAYOUT_X_GAP = 320;
export const LAYOUT_Y_GAP = 200;

/**
 * A simple layered layout so imported maps open readable: theses and other claims that argue
 * for nothing sit on the top row, and every claim sits one row below the claim it argues about
 * (an undercutter one row below the premise whose inference it attacks). Rows are centred on
 * x = 0 and keep breadth-first order, which keeps siblings next to each other. It is O(V + E)
 * so a 20,000-claim import pays nothing noticeable for it; the editor can relayout later.
 */
export function layeredLayout(claims: readonly Claim[], relations: readonly Relation[]): Map<string, { x: number; y: number }> {
  const relById = new Map<string, Relation>();
  for (const r of relations) relById.set(r.id, r);
  const children = new Map<string, string[]>();
  const hasOutgoing = new Set<string>();
  const push = (parent: string, child: string): void => {
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  };
  for (const r of relations) {
    hasOutgoing.add(r.from);
    if (r.kind === 'undercuts') {
      const target = relById.get(r.to);
      if (target) push(target.from, r.from);
    } else push(r.to, r.from);
  }

  const layer = new Map<string, number>();
  const order: string[] = [];
  const queue: string[] = [];
  const seed = (id: string): void => {
    if (layer.has(id)) return;
    layer.set(id, 0);
    queue.push(id);
  };
  const drain = (): void => {
    // An index instead of shift() keeps the queue O(1) per step.
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head]!;
      order.push(id);
      const l = layer.get(id)!;
      for (const child of children.get(id) ?? []) {
        if (layer.has(child)) continue;
        layer.set(child, l + 1);
        queue.push(child);
      }
    }
    queue.length = 0;
  };
  for (const c of claims) if (c.kind === 'thesis') seed(c.id);
  for (const c of claims) if (!hasOutgoing.has(c.id)) seed(c.id);
  drain();
  // Claims only reachable through a cycle get a fresh top-row start, in document order.
  for (const c of claims) {
    if (layer.has(c.id)) continue;
    seed(c.id);
    drain();
  }

  const rows = new Map<number, string[]>();
  for (const id of order) {
    const l = layer.get(id)!;
    const row = rows.get(l);
    if (row) row.push(id);
    else rows.set(l, [id]);
  }
  const out = new Map<string, { x: number; y: number }>();
  for (const [l, row] of rows) {
    const offset = ((row.length - 1) * LAYOUT_X_GAP) / 2;
    row.forEach((id, i) => out.set(id, { x: Math.round(i * LAYOUT_X_GAP - offset), y: l * LAYOUT_Y_GAP }));
  }
  return out;
}
