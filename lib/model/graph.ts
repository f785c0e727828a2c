import type { Claim } from './claim';
import type { Relation } from './relation';

/** A plain, immutable view of an argument map: what scoring, layout and import/export work on. */
export interface ArgumentGraph {
  claims: Claim[];
  relations: Relation[];
}

/** Ids reachable as relation targets: every claim id and every relation id (for undercuts). */
export function indexGraph(graph: ArgumentGraph): {
  claims: Map<string, Claim>;
  relations: Map<string, Relation>;
} {
  return {
    claims: new Map(graph.claims.map((c) => [c.id, c])),
    relations: new Map(graph.relations.map((r) => [r.id, r])),
  };
}

/**
 * The graph without some claims: relations from or to them go too, and so do undercuts of a
 * relation that went (transitively). Used to leave hidden claims out of a reader's canvas.
 */
export function withoutClaims(graph: ArgumentGraph, hidden: ReadonlySet<string>): ArgumentGraph {
  if (hidden.size === 0) return graph;
  const claims = graph.claims.filter((c) => !hidden.has(c.id));
  const kept = new Set(claims.map((c) => c.id));
  const byId = new Map(graph.relations.map((r) => [r.id, r]));
  const alive = new Map<string, boolean>();
  const isAlive = (id: string, depth = 0): boolean => {
    const known = alive.get(id);
    if (known !== undefined) return known;
    const r = byId.get(id);
    // A cycle of undercuts (or one deeper than any real map) has nothing left to stand on.
    const ok = !!r && kept.has(r.from) && depth < 64 && (r.kind === 'undercuts' ? isAlive(r.to, depth + 1) : kept.has(r.to));
    alive.set(id, ok);
    return ok;
  };
  return { claims, relations: graph.relations.filter((r) => isAlive(r.id)) };
}
