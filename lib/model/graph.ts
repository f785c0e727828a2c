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
