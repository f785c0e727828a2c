import { describe, expect, it } from 'vitest';
import { importAif } from '../../lib/formats/aif';
import { exportArgdown, importArgdown } from '../../lib/formats/argdown';
import { createBackup, exportBackup, importBackup } from '../../lib/formats/backup';
import { importKialo } from '../../lib/formats/kialo';
import { MAX_IMPORT_CLAIMS, MAX_INPUT_BYTES, type DebateBundle } from '../../lib/formats/types';
import type { Claim } from '../../lib/model/claim';
import type { Relation } from '../../lib/model/relation';
import { catchFormatError, expectValidBundle } from '../fixtures/formats/helpers';

const importers = [
  { format: 'argdown', run: (s: string) => importArgdown(s) },
  { format: 'aif', run: (s: string) => importAif(s) },
  { format: 'kialo', run: (s: string) => importKialo(s) },
  { format: 'backup', run: (s: string) => importBackup(s) },
] as const;

/** A 20,000-claim debate: a 4-ary tree of alternating supports and attacks under one thesis. */
function bigBundle(n: number): DebateBundle {
  const claims: Claim[] = [];
  const relations: Relation[] = [];
  for (let i = 0; i < n; i++) {
    claims.push({
      id: `c${i}`,
      text: `Claim number ${i} about remote work`,
      kind: i === 0 ? 'thesis' : 'claim',
      x: 0,
      y: 0,
      author: '',
      tags: [],
      createdAt: 0,
      updatedAt: 0,
    });
    if (i > 0)
      relations.push({
        id: `r${i}`,
        from: `c${i}`,
        to: `c${Math.floor((i - 1) / 4)}`,
        kind: i % 3 === 0 ? 'attacks' : 'supports',
        group: '',
        author: '',
        createdAt: 0,
      });
  }
  return { title: 'Big', description: '', graph: { claims, relations }, sources: [], evidence: [] };
}

describe('input size limit', () => {
  it.each(importers)('$format rejects more than 5 MB before parsing', ({ format, run }) => {
    const err = catchFormatError(() => run('x'.repeat(MAX_INPUT_BYTES + 1)));
    expect(err.format).toBe(format);
    expect(err.reason).toMatch(/input is 5\.0 MB; the limit is 5 MB/);
    expect(err.line).toBeUndefined();
    expect(err.path).toBeUndefined();
  });

  it('can be raised per import, e.g. for restoring a large backup', () => {
    const text = exportBackup(createBackup(bigBundle(MAX_IMPORT_CLAIMS), {}, 0)).text;
    expect(text.length).toBeGreaterThan(1024 * 1024);
    expect(catchFormatError(() => importBackup(text, { maxInputBytes: 1024 * 1024 })).reason).toMatch(/the limit is 1 MB/);
    expect(importBackup(text, { maxInputBytes: 20 * 1024 * 1024 }).bundle.graph.claims).toHaveLength(MAX_IMPORT_CLAIMS);
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 2.7 million two-byte characters: under the limit in characters, over it in bytes.
    const err = catchFormatError(() => importKialo(`1. ${'é'.repeat(2_700_000)}`));
    expect(err.reason).toMatch(/limit is 5 MB/);
  });
});

describe('claim limit', () => {
  const over = MAX_IMPORT_CLAIMS + 1;
  const cases: { format: string; input: () => string; run: (s: string) => unknown; line?: number; path?: string }[] = [
    {
      format: 'argdown',
      input: () => Array.from({ length: over }, (_, i) => `[S${i}]: s`).join('\n\n'),
      run: importArgdown,
      line: 2 * MAX_IMPORT_CLAIMS + 1,
    },
    {
      format: 'kialo',
      input: () => ['1. T.', ...Array.from({ length: MAX_IMPORT_CLAIMS }, (_, i) => `1.${i + 1}. Pro: c`)].join('\n'),
      run: importKialo,
      line: over,
    },
    {
      format: 'aif',
      input: () =>
        JSON.stringify({ nodes: Array.from({ length: over }, (_, i) => ({ nodeID: String(i), text: 't', type: 'I' })), edges: [] }),
      run: importAif,
      path: `$.nodes[${MAX_IMPORT_CLAIMS}]`,
    },
    {
      format: 'backup',
      input: () => exportBackup(createBackup(bigBundle(over), {}, 0)).text,
      run: (s: string) => importBackup(s, { maxInputBytes: 20 * 1024 * 1024 }),
      path: '$.graph.claims',
    },
  ];
  it.each(cases)('$format rejects more than 20,000 claims, saying where', ({ input, run, line, path }) => {
    const err = catchFormatError(() => run(input()));
    expect(err.reason).toMatch(/more than 20000 claims/);
    expect(err.line).toBe(line);
    expect(err.path).toBe(path);
  });
});

describe('20,000-claim imports complete', () => {
  it('Kialo', () => {
    const lines = ['Discussion Title: Big remote-work debate', '', '1. Remote work should be the default.'];
    const numbers = ['1'];
    for (let i = 1; i < MAX_IMPORT_CLAIMS; i++) {
      const parent = numbers[Math.floor((i - 1) / 4)]!;
      const number = `${parent}.${((i - 1) % 4) + 1}`;
      numbers.push(number);
      lines.push(`${number}. ${i % 3 === 0 ? 'Con' : 'Pro'}: Reason number ${i} about remote work.`);
    }
    const input = lines.join('\n');
    const t0 = performance.now();
    const { bundle } = importKialo(input);
    console.log(
      `Kialo import of ${bundle.graph.claims.length} claims (${(input.length / 1e6).toFixed(1)} MB): ${(performance.now() - t0).toFixed(0)} ms`,
    );
    expect(bundle.graph.claims).toHaveLength(MAX_IMPORT_CLAIMS);
    expect(bundle.graph.relations).toHaveLength(MAX_IMPORT_CLAIMS - 1);
    expectValidBundle(bundle);
  });

  it('Argdown, and its re-export is byte-identical', () => {
    const input = exportArgdown(bigBundle(MAX_IMPORT_CLAIMS)).text;
    const t0 = performance.now();
    const { bundle } = importArgdown(input);
    console.log(
      `Argdown import of ${bundle.graph.claims.length} claims (${(input.length / 1e6).toFixed(1)} MB): ${(performance.now() - t0).toFixed(0)} ms`,
    );
    expect(bundle.graph.claims).toHaveLength(MAX_IMPORT_CLAIMS);
    expect(bundle.graph.relations).toHaveLength(MAX_IMPORT_CLAIMS - 1);
    expectValidBundle(bundle);
    const t1 = performance.now();
    const again = exportArgdown(bundle).text;
    console.log(`Argdown export of ${bundle.graph.claims.length} claims: ${(performance.now() - t1).toFixed(0)} ms`);
    expect(again).toBe(input);
  });
});
