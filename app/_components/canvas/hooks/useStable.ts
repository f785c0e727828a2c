'use client';

import { useRef } from 'react';

/**
 * Equal for rendering: the same primitive or function, or arrays and plain objects whose members
 * are (two levels down). Node and edge objects hold small records (a position, a tally, a list
 * of tags), never deep trees.
 */
function same(a: unknown, b: unknown, depth = 0): boolean {
  if (Object.is(a, b)) return true;
  if (depth > 3 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i], depth + 1));
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1));
}

/**
 * Keeps the previous object for every item that did not change, so React Flow (which skips
 * nodes and edges whose object is the one it already has) and memoised node components only
 * redo the few that did. On a 2,000-claim map a drag otherwise rebuilt every node and edge on
 * every pointer move.
 */
export function useStableList<T extends { id: string }>(items: T[]): T[] {
  const cache = useRef(new Map<string, T>());
  // The same input as last render (its memo held): nothing to compare.
  const input = useRef<T[] | null>(null);
  const list = useRef<T[]>(items);
  if (input.current === items) return list.current;
  input.current = items;
  const prev = cache.current;
  const next = new Map<string, T>();
  const out = items.map((item) => {
    const old = prev.get(item.id);
    const keep = old !== undefined && same(old, item) ? old : item;
    next.set(item.id, keep);
    return keep;
  });
  cache.current = next;
  // The same objects in the same order: hand back the previous array, so memos keyed on it hold.
  if (list.current.length !== out.length || out.some((x, i) => x !== list.current[i])) list.current = out;
  return list.current;
}
