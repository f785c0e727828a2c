import { describe, expect, it } from 'vitest';
import { exportKialo, importKialo } from '../../lib/formats/kialo';
import { sampleBundle } from '../fixtures/formats/bundles';
import type { DebateBundle } from '../../lib/formats/types';
import { catchFormatError, expectValidBundle, fixture, relationLines } from '../fixtures/formats/helpers';

const doc = (...lines: string[]): string => lines.join('\n');

describe('importKialo: mapping', () => {
  it('imports the remote-work fixture', () => {
    const { bundle, warnings } = importKialo(fixture('remote-work.kialo.txt'));
    expectValidBundle(bundle);
    expect(warnings).toEqual([]);
    expect(bundle.title).toBe('Should remote work be the default for office jobs?');
    expect(bundle.graph.claims.map((c) => [bundle.provenance?.claims[c.id]?.externalId, c.kind, c.text])).toEqual([
      ['1', 'thesis', 'Remote work should be the default for office jobs.'],
      ['1.1', 'claim', 'Employees save about an hour of commuting every day, according to census data.'],
      ['1.1.1', 'claim', 'Some people use the commute to unwind between work and home.'],
      ['1.1.2', 'claim', 'Less commuting also means less traffic and pollution.'],
      [
        '1.2',
        'claim',
        'Junior staff learn less when they cannot watch experienced colleagues.\n\nPairing over video is a poor substitute for sitting next to someone.',
      ],
      ['1.2.1', 'claim', 'Screen sharing makes it easy to watch someone work.'],
      ['1.3', 'claim', 'Offices are expensive, and the savings can fund higher salaries.'],
    ]);
    const num = (b: DebateBundle) => (id: string) => b.provenance!.claims[id]!.externalId;
    const n = num(bundle);
    expect(bundle.graph.relations.map((r) => `${n(r.from)} ${r.kind} ${n(r.to)}`)).toEqual([
      '1.1 supports 1',
      '1.1.1 attacks 1.1',
      '1.1.2 supports 1.1',
      '1.2 attacks 1',
      '1.2.1 attacks 1.2',
      '1.1.1 supports 1.2',
      '1.3 supports 1',
      '1.2 attacks 1.3',
    ]);
    expect(bundle.sources.map((s) => [s.title, s.url])).toEqual([
      ['census data', 'https://www.census.gov/topics/employment/commuting.html'],
    ]);
    expect(bundle.evidence).toMatchObject([{ stance: 'supports' }]);
  });

  const cases: { name: string; input: string; claims: [string, string][]; relations: string[] }[] = [
    {
      name: 'ids are slugs of the text, deduplicated',
      input: doc('1. Remote work.', '1.1. Pro: Yes.', '1.2. Con: Yes.'),
      claims: [
        ['remote-work', 'thesis'],
        ['yes', 'claim'],
        ['yes-2', 'claim'],
      ],
      relations: ['yes supports remote-work', 'yes-2 attacks remote-work'],
    },
    {
      name: 'a root with unstanced children is a question answered by theses',
      input: doc(
        'Discussion Title: Which policy?',
        '',
        '1. Which remote policy should we adopt?',
        '1.1. Fully remote.',
        '1.2. Hybrid.',
        '1.2.1. Con: Nobody comes in on Fridays.',
      ),
      claims: [
        ['which-remote-policy-should-we-adopt', 'question'],
        ['fully-remote', 'thesis'],
        ['hybrid', 'thesis'],
        ['nobody-comes-in-on-fridays', 'claim'],
      ],
      relations: [
        'fully-remote supports which-remote-policy-should-we-adopt',
        'hybrid supports which-remote-policy-should-we-adopt',
        'nobody-comes-in-on-fridays attacks hybrid',
      ],
    },
    {
      name: 'a forward link and children of a link attach to the linked claim',
      input: doc('1. T.', '1.1. Pro: -> See 1.2.1.', '1.1.1. Con: Under the link.', '1.2. Con: B.', '1.2.1. Pro: C.'),
      claims: [
        ['t', 'thesis'],
        ['under-the-link', 'claim'],
        ['b', 'claim'],
        ['c', 'claim'],
      ],
      relations: ['c supports t', 'under-the-link attacks c', 'b attacks t', 'c supports b'],
    },
    {
      name: 'a chain of links resolves to the original claim',
      input: doc('1. T.', '1.1. Pro: A.', '1.2. Con: B.', '1.2.1. Pro: -> See 1.1.', '1.2.2. Con: -> See 1.2.1.'),
      claims: [
        ['t', 'thesis'],
        ['a', 'claim'],
        ['b', 'claim'],
      ],
      relations: ['a supports t', 'b attacks t', 'a supports b', 'a attacks b'],
    },
    {
      name: 'stance words are case-insensitive and CRLF line ends are fine',
      input: '1. T.\r\n1.1. PRO: A.\r\n1.2. con: B.\r\n',
      claims: [
        ['t', 'thesis'],
        ['a', 'claim'],
        ['b', 'claim'],
      ],
      relations: ['a supports t', 'b attacks t'],
    },
  ];
  it.each(cases)('$name', ({ input, claims, relations }) => {
    const { bundle } = importKialo(input);
    expectValidBundle(bundle);
    expect(bundle.graph.claims.map((c) => [c.id, c.kind])).toEqual(claims);
    expect(relationLines(bundle)).toEqual(relations);
  });

  const warningCases: { name: string; input: string; line: number; message: RegExp }[] = [
    { name: 'link to nothing', input: doc('1. T.', '1.1. Pro: -> See 1.9.'), line: 2, message: /points at no claim/ },
    { name: 'link to own parent', input: doc('1. T.', '1.1. Pro: A.', '1.1.1. Con: -> See 1.1.'), line: 3, message: /its own parent/ },
    { name: 'missing stance', input: doc('1. T.', '1.1. Pro: A.', '1.1.1. B.'), line: 3, message: /no Pro\/Con stance/ },
    {
      name: 'text before the first claim',
      input: doc('Exported from Kialo', '1. T.'),
      line: 1,
      message: /before the first numbered claim/,
    },
    { name: 'stance on the thesis', input: doc('1. Pro: T.'), line: 1, message: /thesis has no Pro\/Con/ },
  ];
  it.each(warningCases)('warns: $name', ({ input, line, message }) => {
    const { warnings } = importKialo(input);
    expect(warnings).toContainEqual({ line, message: expect.stringMatching(message) });
  });
});

describe('importKialo: malformed numbering', () => {
  const cases: { name: string; input: string; line: number; reason: RegExp }[] = [
    { name: 'missing parent', input: doc('1. T.', '1.1. Pro: A.', '1.3.1. Con: B.'), line: 3, reason: /has no parent 1\.3\./ },
    { name: 'number used twice', input: doc('1. T.', '1.1. Pro: A.', '1.1. Con: B.'), line: 3, reason: /already used on line 2/ },
    { name: 'siblings out of order', input: doc('1. T.', '1.2. Pro: A.', '1.1. Con: B.'), line: 3, reason: /numbers must increase/ },
    { name: 'does not start with 1.', input: doc('Discussion Title: x', '2. T.'), line: 2, reason: /must start with "1\."/ },
    { name: 'missing final dot', input: doc('1. T.', '1.1 Pro: A.'), line: 2, reason: /malformed numbering/ },
    { name: 'double dot', input: doc('1. T.', '1..1. Con: A.'), line: 2, reason: /malformed numbering/ },
    { name: 'no claims at all', input: doc('Discussion Title: empty', ''), line: 2, reason: /no numbered claims/ },
  ];
  it.each(cases)('$name', ({ input, line, reason }) => {
    const err = catchFormatError(() => importKialo(input));
    expect(err.format).toBe('kialo');
    expect(err.line).toBe(line);
    expect(err.reason).toMatch(reason);
  });
});

describe('exportKialo', () => {
  it('round-trips the fixture: same claims, relations and source links, and a stable re-export', () => {
    const first = importKialo(fixture('remote-work.kialo.txt')).bundle;
    const { text, warnings } = exportKialo(first);
    expect(warnings).toEqual([]);
    const again = importKialo(text).bundle;
    expectValidBundle(again);
    expect(again.title).toBe(first.title);
    // Paragraph breaks inside a claim become spaces: Kialo continuation lines could be misread.
    const flat = (b: DebateBundle) => b.graph.claims.map((c) => [c.kind, c.text.replace(/\s+/g, ' ')]);
    expect(flat(again)).toEqual(flat(first));
    const byText = (b: DebateBundle) =>
      relationLines(b, 'text')
        .map((l) => l.replace(/\s+/g, ' '))
        .sort();
    expect(byText(again)).toEqual(byText(first));
    expect(again.sources.map((s) => [s.title, s.url])).toEqual(first.sources.map((s) => [s.title, s.url]));
    expect(exportKialo(again).text).toBe(text);
  });

  it('writes a question with theses as stance-less answers, as Kialo does', () => {
    const input = doc(
      'Discussion Title: Which policy?',
      '',
      '1. Which policy?',
      '1.1. Remote first.',
      '1.1.1. Con: Costly.',
      '1.2. Office first.',
    );
    const { text } = exportKialo(importKialo(input).bundle);
    expect(text).toBe(`${input}\n`);
  });

  it('reports what Kialo cannot hold and groups several tops under a question', () => {
    const b = sampleBundle();
    const { text, warnings } = exportKialo(b);
    const again = importKialo(text);
    expectValidBundle(again.bundle);
    const messages = warnings.map((w) => w.message).join('\n');
    if (b.graph.relations.some((r) => r.kind === 'undercuts')) expect(messages).toMatch(/undercuts have no Kialo equivalent/);
    if (b.graph.claims.some((c) => c.tags.length > 0)) expect(messages).toMatch(/tags have no Kialo equivalent/);
    const two = { ...b, graph: { claims: b.graph.claims.slice(0, 2).map((c) => ({ ...c, kind: 'thesis' as const })), relations: [] } };
    const out = exportKialo(two);
    expect(out.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/2 claims argue for nothing/));
    const [q, a, c] = out.text.split('\n').slice(2, 5);
    expect(q).toBe(`1. ${b.title}`);
    expect(a!.startsWith(`1.1. ${two.graph.claims[0]!.text}`)).toBe(true);
    expect(c!.startsWith(`1.2. ${two.graph.claims[1]!.text}`)).toBe(true);
  });
});
