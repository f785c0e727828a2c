/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) for deterministic tests: the same seed
 * gives the same sequence on every machine, so a failing fuzz seed can be pinned and replayed.
 * Not for anything security-related.
 */
export interface Prng {
  readonly seed: number;
  /** A float in [0, 1), like Math.random. Bound, so it can be passed as a callback. */
  next: () => number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max] inclusive. */
  range(min: number, max: number): number;
  /** true with probability p. */
  bool(p?: number): boolean;
  /** A uniformly chosen element; throws on an empty array, which is always a test bug. */
  pick<T>(arr: readonly T[]): T;
  /** A uint32, e.g. for a deterministic Y.Doc clientID. */
  uint32(): number;
  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
}

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

export function createPrng(seed: number): Prng {
  const init = splitmix32(seed >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 mixes poorly for the first few rounds.
  for (let i = 0; i < 12; i++) uint32();
  const next = (): number => uint32() / 4294967296;
  const int = (n: number): number => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    range: (min, max) => min + int(max - min + 1),
    bool: (p = 0.5) => next() < p,
    uint32,
    pick<T>(arr: readonly T[]): T {
      if (arr.length === 0) throw new Error('pick from an empty array');
      return arr[int(arr.length)] as T;
    },
    weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
      const entries = Object.entries(weights) as [K, number][];
      let total = 0;
      for (const [, w] of entries) total += w;
      let r = next() * total;
      for (const [k, w] of entries) {
        r -= w;
        if (r < 0) return k;
      }
      const last = entries[entries.length - 1];
      if (last === undefined) throw new Error('weighted pick from no weights');
      return last[0];
    },
  };
}
