'use client';

import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { claimsMap, readClaim, readRelation, relationsMap } from '@/lib/model/doc';
import type { ArgumentGraph } from '@/lib/model/graph';

const EMPTY: ArgumentGraph = { claims: [], relations: [] };

/**
 * One root map (claims or relations) read into a list of plain objects, kept up to date from
 * its deep events. An entry that changed inside is read again and patched in place in a copy of
 * the list; the others keep their objects. Only when entries are added, removed or replaced is
 * the whole map walked again (still reusing the unchanged objects).
 */
class RootList<T extends { id: string }> {
  list: T[] = [];
  private index = new Map<string, number>();
  private dirty = new Set<string>();
  private structural = true;

  constructor(
    private readonly root: Y.Map<Y.Map<unknown>>,
    private readonly readEntry: (id: string, m: Y.Map<unknown>) => T,
  ) {}

  /** Notes what a batch of deep events touched: an inner change marks its entry, a change of the root's own keys the list. */
  note(events: Y.YEvent<Y.AbstractType<unknown>>[]): void {
    for (const e of events) {
      if (e.path.length > 0) this.dirty.add(String(e.path[0]));
      else this.structural = true;
    }
  }

  get changed(): boolean {
    return this.structural || this.dirty.size > 0;
  }

  /** Brings `list` up to date; a new array when anything changed, the same one otherwise. */
  refresh(): T[] {
    if (!this.structural && this.dirty.size > 0) {
      const out = this.list.slice();
      for (const id of this.dirty) {
        const i = this.index.get(id);
        const m = this.root.get(id);
        if (i === undefined || !m) {
          this.structural = true;
          break;
        }
        out[i] = this.readEntry(id, m);
      }
      if (!this.structural) {
        this.list = out;
        this.dirty.clear();
      }
    }
    if (this.structural) {
      const old = new Map(this.list.map((x) => [x.id, x]));
      const out: T[] = [];
      this.index = new Map();
      this.root.forEach((m, id) => {
        const x = old.get(id);
        this.index.set(id, out.length);
        out.push(x && !this.dirty.has(id) ? x : this.readEntry(id, m));
      });
      this.list = out;
      this.dirty.clear();
      this.structural = false;
    }
    return this.list;
  }
}

/**
 * A plain snapshot of the document's graph, refreshed once per animation frame at most. Only the
 * claims and relations that changed are read again, and a list nothing touched keeps its array:
 * a drag on a 2,000-claim map re-reads one claim per update and leaves the relations alone, and
 * what is built from the snapshot can compare objects (and lists) by identity.
 */
export function useGraph(doc: Y.Doc | null): ArgumentGraph {
  const [graph, setGraph] = useState<ArgumentGraph>(EMPTY);
  useEffect(() => {
    if (!doc) return;
    const claims = new RootList(claimsMap(doc), readClaim);
    const relations = new RootList(relationsMap(doc), readRelation);
    const read = (): ArgumentGraph => ({ claims: claims.refresh(), relations: relations.refresh() });
    let frame = 0;
    const refresh = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (claims.changed || relations.changed) setGraph(read());
      });
    };
    const onClaims = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      claims.note(events);
      refresh();
    };
    const onRelations = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      relations.note(events);
      refresh();
    };
    setGraph(read());
    claimsMap(doc).observeDeep(onClaims);
    relationsMap(doc).observeDeep(onRelations);
    return () => {
      cancelAnimationFrame(frame);
      claimsMap(doc).unobserveDeep(onClaims);
      relationsMap(doc).unobserveDeep(onRelations);
    };
  }, [doc]);
  return graph;
}
