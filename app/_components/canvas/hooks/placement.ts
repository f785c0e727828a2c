import { DEFAULT_NODE_SIZE, type Size } from '@/lib/layout';
import type { ArgumentGraph } from '@/lib/model/graph';

/** Where things go on the canvas: pure geometry shared by the canvas commands and the outline. */

export type Direction = 'up' | 'down' | 'left' | 'right';

/** Vertical distance from a claim's top to a new argument's top, for a claim of default height. */
const CHILD_DROP = 180;
const CHILD_GAP = 40;

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The claim to go to from `from` in a direction: among claims whose centre lies that way, the
 * one with the smallest distance along the direction plus twice the sideways offset, so a claim
 * straight ahead beats a nearer one off to the side. Null when nothing lies that way.
 */
export function nearestInDirection(from: Box, boxes: readonly Box[], dir: Direction): string | null {
  const cx = from.x + from.width / 2;
  const cy = from.y + from.height / 2;
  let best: string | null = null;
  let bestScore = Infinity;
  for (const b of boxes) {
    if (b.id === from.id) continue;
    const dx = b.x + b.width / 2 - cx;
    const dy = b.y + b.height / 2 - cy;
    const [along, side] = dir === 'right' ? [dx, dy] : dir === 'left' ? [-dx, dy] : dir === 'down' ? [dy, dx] : [-dy, dx];
    if (along <= 0) continue;
    const score = along + 2 * Math.abs(side);
    if (score < bestScore || (score === bestScore && best !== null && b.id < best)) {
      best = b.id;
      bestScore = score;
    }
  }
  return best;
}

export function nearestTo(p: { x: number; y: number }, boxes: readonly Box[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const b of boxes) {
    const d = Math.hypot(b.x + b.width / 2 - p.x, b.y + b.height / 2 - p.y);
    if (d < bestD) {
      best = b.id;
      bestD = d;
    }
  }
  return best;
}

/** Below the parent, stepping right past any claim already there, so a new argument never lands on one. */
export function freeSpotBelow(
  graph: ArgumentGraph,
  parent: { x: number; y: number; id: string },
  sizeOf: (id: string) => Size = () => DEFAULT_NODE_SIZE,
): { x: number; y: number } {
  const w = DEFAULT_NODE_SIZE.width;
  const h = DEFAULT_NODE_SIZE.height;
  const y = Math.round(parent.y + sizeOf(parent.id).height + CHILD_DROP - DEFAULT_NODE_SIZE.height);
  let x = Math.round(parent.x);
  for (let i = 0; i < 200; i++) {
    const hit = graph.claims.find((c) => {
      const s = sizeOf(c.id);
      return c.x < x + w + CHILD_GAP && x < c.x + s.width + CHILD_GAP && c.y < y + h && y < c.y + s.height;
    });
    if (!hit) break;
    x = Math.round(hit.x + sizeOf(hit.id).width + CHILD_GAP);
  }
  return { x, y };
}
