'use client';

import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { claimsMap, readGraph, relationsMap } from '@/lib/model/doc';
import type { ArgumentGraph } from '@/lib/model/graph';

const EMPTY: ArgumentGraph = { claims: [], relations: [] };

/** A plain snapshot of the document's graph, refreshed once per animation frame at most. */
export function useGraph(doc: Y.Doc | null): ArgumentGraph {
  const [graph, setGraph] = useState<ArgumentGraph>(EMPTY);
  useEffect(() => {
    if (!doc) return;
    let frame = 0;
    const refresh = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setGraph(readGraph(doc));
      });
    };
    setGraph(readGraph(doc));
    const claims = claimsMap(doc);
    const relations = relationsMap(doc);
    claims.observeDeep(refresh);
    relations.observeDeep(refresh);
    return () => {
      cancelAnimationFrame(frame);
      claims.unobserveDeep(refresh);
      relations.unobserveDeep(refresh);
    };
  }, [doc]);
  return graph;
}
