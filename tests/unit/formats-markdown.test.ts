import { describe, expect, it } from 'vitest';
import { exportMarkdown } from '../../lib/formats/markdown';
import type { DebateBundle } from '../../lib/formats/types';
import { sampleBundle } from '../fixtures/formats/bundles';

const doc = (...lines: string[]): string => `${lines.join('\n')}\n`;

describe('exportMarkdown', () => {
  it('writes the outline with strengths, linked groups, undercuts and sources', () => {
    const scores = new Map([
      ['thesis', 0.7234],
      ['commute', 0.61],
      ['hours', 0.2],
    ]);
    expect(exportMarkdown(sampleBundle(), { scores }).text).toBe(
      doc(
        '# Remote work by default?',
        '',
        'A short debate',
        'about remote work.',
        '',
        '## Remote work should be the default for office jobs. (strength 0.72) — sources: *Remote: Office Not Required*',
        '',
        '- **Pro:** Employees save ~1h/day of commuting (see #census data). (strength 0.61) — sources: [US Census: Commuting](https://www.census.gov/topics/employment/commuting.html)',
        '  - **Undercut:** Remote workers put in longer hours. (strength 0.20) — sources: [Survey \\[2024\\]](https://example.org/survey?year=2024&topic=(remote%29) (contradicting)',
        '    - **Con:** Longer hours lead to burnout, which hurts output.',
        '      - **Pro:** Remote workers put in longer hours. (strength 0.20) — sources: [Survey \\[2024\\]](https://example.org/survey?year=2024&topic=(remote%29) (contradicting) *(see above)*',
        '  - **Con:** Some people \\*need\\* the commute to unwind \\[really\\].',
        '- **Pro (linked):**',
        '  - Offices cost {a lot}: rent, power & snacks.',
        '  - Savings can fund higher salaries for snake\\_case\\_lovers @home.',
        '- **Con (linked):**',
        '  - **Undercut:** Screen sharing lets juniors watch remotely // mostly.',
        '  - Juniors learn by watching seniors work.',
        '  - Watching requires being in the same room.',
        '',
        '## What counts as an office job?',
        '',
        '- **Pro:** Any job done mostly at a desk.',
      ),
    );
  });

  it('accepts scores as a plain record and omits non-finite ones', () => {
    const text = exportMarkdown(sampleBundle(), { scores: { thesis: 0.5, commute: Number.NaN } }).text;
    expect(text).toContain('## Remote work should be the default for office jobs. (strength 0.50)');
    expect(text).toContain('- **Pro:** Employees save ~1h/day of commuting (see #census data). — sources:');
  });

  const graphs: { name: string; bundle: DebateBundle; sections: number }[] = [
    {
      name: 'a pure cycle still terminates and shows every claim',
      bundle: {
        title: 'Cycle',
        description: '',
        graph: {
          claims: ['a', 'b', 'c'].map((id) => ({
            id,
            text: id.toUpperCase(),
            kind: 'claim' as const,
            x: 0,
            y: 0,
            author: '',
            tags: [],
            createdAt: 0,
            updatedAt: 0,
          })),
          relations: [
            { id: 'r1', from: 'a', to: 'b', kind: 'supports', group: '', author: '', createdAt: 0 },
            { id: 'r2', from: 'b', to: 'c', kind: 'supports', group: '', author: '', createdAt: 0 },
            { id: 'r3', from: 'c', to: 'a', kind: 'attacks', group: '', author: '', createdAt: 0 },
          ],
        },
        sources: [],
        evidence: [],
      },
      sections: 1,
    },
    {
      name: 'an empty debate has a title only',
      bundle: { title: '', description: '', graph: { claims: [], relations: [] }, sources: [], evidence: [] },
      sections: 0,
    },
  ];
  it.each(graphs)('$name', ({ bundle, sections }) => {
    const { text } = exportMarkdown(bundle);
    expect(text.match(/^## /gm)?.length ?? 0).toBe(sections);
    for (const c of bundle.graph.claims) expect(text).toContain(c.text);
  });
});
