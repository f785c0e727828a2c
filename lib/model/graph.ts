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

/**
 * Where an undercut lands: on the line of the relation whose inference it attacks. `froms` lists
 * the source claims of the relations in the chain, outermost first (an undercut of an undercut
 * has two), and `to` is the claim the innermost, non-undercut relation argues about.
 */
export interface UndercutChain {
  froms: string[];
  to: string;
}

/** Undercuts of undercuts deeper than this are not drawn (and cannot be made from the canvas). */
export const MAX_UNDERCUT_DEPTH = 10;

/**
 * Follows relation `relationId` inwards through undercuts of undercuts to the relation whose
 * inference is finally attacked. Null when the chain is broken (a relation is missing), cyclic
 * or deeper than MAX_UNDERCUT_DEPTH: there is no line to attach to.
 */
export function undercutChain(relationId: string, relations: ReadonlyMap<string, Relation>): UndercutChain | null {
  const froms: string[] = [];
  let rel = relations.get(relationId);
  for (let hops = 0; rel?.kind === 'undercuts' && hops < MAX_UNDERCUT_DEPTH; hops++) {
    froms.push(rel.from);
    rel = relations.get(rel.to);
  }
  if (!rel || rel.kind === 'undercuts') return null;
  froms.push(rel.from);
  return { froms, to: rel.to };
}
