'use client';

import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { claimsMap, readClaim, readRelation, relationsMap } from '@/lib/model/doc';
import type { ArgumentGraph } from '@/lib/model/graph';
import type { Claim } from '@/lib/model/claim';
import type { Relation } from '@/lib/model/relation';

const EMPTY: ArgumentGraph = { claims: [], relations: [] };

/** Keys of a root map that a batch of deep events touched: a key of the map itself, or the entry an inner change is in. */
function touchedKeys(events: Y.YEvent<Y.AbstractType<unknown>>[], into: Set<string>): void {
  for (const e of events) {
    if (e.path.length > 0) into.add(String(e.path[0]));
    else for (const k of e.changes.keys.keys()) into.add(k);
  }
}

/**
 * A plain snapshot of the document's graph, refreshed once per animation frame at most. Only the
 * claims and relations that changed are read again; the others keep their objects, so a drag on
 * a 2,000-claim map re-reads one claim per update instead of all of them (and their texts), and
 * what is built from the snapshot can compare objects by identity.
 */
export function useGraph(doc: Y.Doc | null): ArgumentGraph {
  const [graph, setGraph] = useState<ArgumentGraph>(EMPTY);
  useEffect(() => {
    if (!doc) return;
    const claims = claimsMap(doc);
    const relations = relationsMap(doc);
    let claimCache = new Map<string, Claim>();
    let relationCache = new Map<string, Relation>();
    const dirtyClaims = new Set<string>();
    const dirtyRelations = new Set<string>();
    const read = (): ArgumentGraph => {
      const nextClaims = new Map<string, Claim>();
      const outClaims: Claim[] = [];
      claims.forEach((m, id) => {
        let c = claimCache.get(id);
        if (!c || dirtyClaims.has(id)) c = readClaim(id, m);
        nextClaims.set(id, c);
        outClaims.push(c);
      });
      const nextRelations = new Map<string, Relation>();
      const outRelations: Relation[] = [];
      relations.forEach((m, id) => {
        let r = relationCache.get(id);
        if (!r || dirtyRelations.has(id)) r = readRelation(id, m);
        nextRelations.set(id, r);
        outRelations.push(r);
      });
      claimCache = nextClaims;
      relationCache = nextRelations;
      dirtyClaims.clear();
      dirtyRelations.clear();
      return { claims: outClaims, relations: outRelations };
    };
    let frame = 0;
    const refresh = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setGraph(read());
      });
    };
    const onClaims = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      touchedKeys(events, dirtyClaims);
      refresh();
    };
    const onRelations = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      touchedKeys(events, dirtyRelations);
      refresh();
    };
    setGraph(read());
    claims.observeDeep(onClaims);
    relations.observeDeep(onRelations);
    return () => {
      cancelAnimationFrame(frame);
      claims.unobserveDeep(onClaims);
      relations.unobserveDeep(onRelations);
    };
  }, [doc]);
  return graph;
}
