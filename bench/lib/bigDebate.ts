/* What the in-process benches share: the seeded 10,000-claim debate, a store that commits instantly, and median timing. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { DocStore } from '../../server/persistence/docStore';

const BENCH = path.resolve(import.meta.dirname, '..');

/** The debate of bench/make-doc.ts as one update (BENCH_DOC, default bench/out/debate-10k.bin; built if missing). */
export async function bigDebate(): Promise<Uint8Array> {
  const file = path.resolve(BENCH, process.env.BENCH_DOC ?? 'out/debate-10k.bin');
  if (!existsSync(file)) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(BENCH, 'make-doc.ts'), file], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`make-doc.ts failed (exit ${r.status})`);
  }
  return new Uint8Array(await readFile(file));
}

/** A DocStore that holds nothing and commits at once: the room's own costs, without a database. */
export const instantStore: DocStore = {
  load: async () => ({ updates: [], logCount: 0, logBytes: 0 }),
  append: async () => undefined,
  compact: async () => ({ folded: 0 }),
};

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median ms of `reps` calls after one warm-up call. */
export function time(fn: () => void, reps: number): number {
  fn();
  const s: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    s.push(performance.now() - t);
  }
  return median(s);
}

export async function timeAsync(fn: () => Promise<void>, reps: number): Promise<number> {
  await fn();
  const s: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    s.push(performance.now() - t);
  }
  return median(s);
}
