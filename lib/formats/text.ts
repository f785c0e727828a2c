/** Small string helpers shared by the importers and exporters. */

/**
 * Lowercase ASCII slug: `"Remote work boosts output!"` → `remote-work-boosts-output`. Capped at
 * 48 characters so a dedup suffix still fits the 64-character id limit.
 */
export function slugify(s: string, max = 48): string {
  // Only the head matters for a slug; normalizing a 2,000-character claim 20,000 times is waste.
  const head = s.slice(0, max * 3);
  const full = head
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '');
  let cut = full.slice(0, max);
  // Prefer ending on a word boundary when that keeps most of the slug.
  if (full.length > max && full[max] !== '-') {
    const lastDash = cut.lastIndexOf('-');
    if (lastDash >= max / 2) cut = cut.slice(0, lastDash);
  }
  return cut.replace(/-+$/, '');
}

/**
 * Hands out unique ids from a preferred base: `claim`, `claim-2`, `claim-3`. The per-base counter
 * keeps 20,000 claims with the same slug linear instead of quadratic.
 */
export class IdAllocator {
  private readonly used = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();

  constructor(private readonly fallback: string) {}

  take(base: string): string {
    const b = base === '' ? this.fallback : base;
    if (!this.used.has(b)) {
      this.used.add(b);
      return b;
    }
    let n = this.nextSuffix.get(b) ?? 2;
    while (this.used.has(`${b}-${n}`)) n++;
    this.nextSuffix.set(b, n + 1);
    const id = `${b}-${n}`;
    this.used.add(id);
    return id;
  }

  has(id: string): boolean {
    return this.used.has(id);
  }
}

export function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Splits text into lines, accepting \n, \r\n and \r, and dropping a leading byte-order mark. */
export function splitLines(input: string): string[] {
  return input.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

/** `1234.5` → `1234.5`; keeps exported numbers short and stable. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
