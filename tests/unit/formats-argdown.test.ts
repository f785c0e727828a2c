import { describe, expect, it } from 'vitest';
import { exportArgdown, importArgdown } from '../../lib/formats/argdown';
import type { DebateBundle } from '../../lib/formats/types';
import { randomBundle, sampleBundle } from '../fixtures/formats/bundles';
import { catchFormatError, expectValidBundle, fixture, relationLines } from '../fixtures/formats/helpers';

const doc = (...lines: string[]): string => lines.join('\n');

describe('importArgdown: mapping', () => {
  const cases: { name: string; input: string; relations: string[]; check?: (b: DebateBundle) => void }[] = [
    {
      name: 'incoming support and attack, implicit and explicit direction',
      input: doc('[T]: Thesis.', '    + [A]: Pro.', '    <+ [B]: Pro two.', '    - [C]: Con.', '    <- [D]: Con two.'),
      relations: ['a supports t', 'b supports t', 'c attacks t', 'd attacks t'],
    },
    {
      name: 'outgoing support and attack',
      input: doc('[A]: Reason.', '    +> [T]: Thesis.', '    -> [U]: Other.'),
      relations: ['a supports t', 'a attacks u'],
    },
    {
      name: 'nested trees attach to the nearest less-indented parent',
      input: doc('[T]: Thesis.', '  + [A]: a', '    - [B]: b', '      + [C]: c', '  - [D]: d'),
      relations: ['a supports t', 'b attacks a', 'c supports b', 'd attacks t'],
    },
    {
      name: 'contradiction is an attack each way',
      input: doc('[A]: a', '    >< [B]: b'),
      relations: ['b attacks a', 'a attacks b'],
    },
    {
      name: 'sketched argument becomes a claim with its description as text',
      input: doc('[T]: Thesis.', '    + <Focus>: People focus better at home.'),
      relations: ['focus supports t'],
      check: (b) => expect(b.graph.claims.find((c) => c.id === 'focus')?.text).toBe('People focus better at home.'),
    },
    {
      name: 'premise-conclusion structure gives a co-premise group',
      input: doc(
        '<Mentoring>',
        '',
        '(1) [P1]: Juniors learn by watching.',
        '(2) [P2]: Watching needs presence.',
        '----',
        '(3) [C]: Remote hurts juniors.',
      ),
      relations: ['p1 supports c [mentoring]', 'p2 supports c [mentoring]'],
    },
    {
      name: 'single-premise argument is a plain relation',
      input: doc('<Short>', '', '(1) [P]: p', '----', '(2) [C]: c'),
      relations: ['p supports c'],
    },
    {
      name: 'complex argument: each inferential step is its own group',
      input: doc(
        '<Chain>',
        '',
        '(1) [A]: a',
        '(2) [B]: b',
        '-- Modus ponens --',
        '(3) [C]: c',
        '(4) [D]: d',
        '--',
        'uses: [3, 4]',
        '--',
        '(5) [E]: e',
      ),
      relations: ['a supports c [chain-step-1]', 'b supports c [chain-step-1]', 'c supports e [chain]', 'd supports e [chain]'],
    },
    {
      name: 'relation from a reconstructed argument leaves its conclusion',
      input: doc('[T]: Thesis.', '    - <Arg>', '', '<Arg>', '', '(1) [P]: p', '(2) [Q]: q', '----', '(3) [C]: c'),
      relations: ['c attacks t', 'p supports c [arg]', 'q supports c [arg]'],
    },
    {
      name: 'an argument attacking its own conclusion is a linked attack',
      input: doc('[T]: Thesis.', '    - <Against T>', '', '<Against T>', '', '(1) [P]: p', '(2) [Q]: q', '----', '(3) [T]'),
      relations: ['p attacks t [against-t]', 'q attacks t [against-t]'],
    },
    {
      name: 'undercut below the argument targets its main inference',
      input: doc('<Arg>', '    _ [X]: The premises do not bear on the conclusion.', '', '(1) [P]: p', '(2) [Q]: q', '----', '(3) [C]: c'),
      relations: ['p supports c [arg]', 'q supports c [arg]', 'x undercuts (p supports c [arg])'],
    },
    {
      name: 'undercut below an inference line and below a conclusion',
      input: doc('<Arg>', '', '(1) [P]: p', '----', '    <_ [X]: x', '(2) [C]: c', '(3) [Q]: q', '----', '(4) [D]: d', '    <_ [Y]: y'),
      relations: [
        'p supports c',
        'c supports d [arg]',
        'q supports d [arg]',
        'x undercuts (p supports c)',
        'y undercuts (c supports d [arg])',
      ],
    },
    {
      name: 'outgoing undercut from a statement onto a sketched argument',
      input: doc('[T]: t', '    + <A>: a', '', '[X]: x', '    _> <A>'),
      relations: ['a supports t', 'x undercuts (a supports t)'],
    },
    {
      name: 'the same relation stated twice is one relation',
      input: doc('[T]: t', '    + [A]: a', '', '[A]', '    +> [T]'),
      relations: ['a supports t'],
    },
    {
      name: 'tags, bracketed tags, heading tags and kind data',
      input: doc(
        '# Economics',
        '',
        '[T]: Thesis #policy #(work life) {kind: thesis}',
        '',
        '## Costs',
        '',
        '[Q]: Which jobs? {kind: question}',
      ),
      relations: [],
      check: (b) =>
        expect(b.graph.claims.map((c) => [c.id, c.kind, c.tags])).toEqual([
          ['t', 'thesis', ['policy', 'work life', 'Economics']],
          ['q', 'question', ['Costs']],
        ]),
    },
    {
      name: 'links: trailing citations leave the text, inline links keep their label',
      input: doc('[A]: See the [census](https://census.gov/a) data. [Study](https://example.org/s) [Doc](#heading-x)'),
      relations: [],
      check: (b) => {
        expect(b.graph.claims[0]!.text).toBe('See the census data. Study Doc');
        expect(b.sources.map((s) => [s.title, s.url])).toEqual([
          ['census', 'https://census.gov/a'],
          ['Study', 'https://example.org/s'],
        ]);
        expect(b.evidence.map((e) => [e.claimId, e.sourceId, e.stance])).toEqual([
          ['a', 'census', 'context'],
          ['a', 'study', 'context'],
        ]);
      },
    },
    {
      name: 'javascript: links never become sources',
      input: doc('[A]: Click [here](javascript:alert(1)) now.'),
      relations: [],
      check: (b) => expect(b.sources).toEqual([]),
    },
    {
      name: 'comments, escapes, emphasis, mentions and multi-line text',
      input: doc(
        '/* block',
        'comment */',
        '[A]: A *long* statement // line comment',
        'that continues \\#not-a-tag and mentions @[B]. <!-- html -->',
        '',
        '[B]: b',
      ),
      relations: [],
      check: (b) => expect(b.graph.claims[0]!.text).toBe('A long statement that continues #not-a-tag and mentions B.'),
    },
    {
      name: 'untitled statements get ids from their text; references without definition use the title',
      input: doc('Remote work is great.', '    - [Isolation]'),
      relations: ['isolation attacks remote-work-is-great'],
      check: (b) => expect(b.graph.claims.map((c) => c.text)).toEqual(['Remote work is great.', 'Isolation']),
    },
    {
      name: 'duplicate titles get deduplicated ids',
      input: doc('[Remote work]: a', '', '[Remote-work]: b', '', '[remote work]: c'),
      relations: [],
      check: (b) => expect(b.graph.claims.map((c) => c.id)).toEqual(['remote-work', 'remote-work-2', 'remote-work-3']),
    },
  ];

  it.each(cases)('$name', ({ input, relations, check }) => {
    const { bundle } = importArgdown(input);
    expectValidBundle(bundle);
    expect(relationLines(bundle)).toEqual(relations);
    check?.(bundle);
  });

  it('reads front matter title and folded description', () => {
    const { bundle } = importArgdown(
      doc('===', 'title: "Remote: yes or no?"', 'description: >', '  first line', '  second line', '===', '', '[A]: a'),
    );
    expect(bundle.title).toBe('Remote: yes or no?');
    expect(bundle.description).toBe('first line second line');
  });

  it('lays claims out top-down with theses on the top row', () => {
    const { bundle } = importArgdown(doc('[T]: t {kind: thesis}', '    + [A]: a', '        - [B]: b'));
    const y = Object.fromEntries(bundle.graph.claims.map((c) => [c.id, c.y]));
    expect(y.t).toBeLessThan(y.a!);
    expect(y.a).toBeLessThan(y.b!);
  });

  it('imports the remote-work fixture', () => {
    const { bundle, warnings } = importArgdown(fixture('remote-work.argdown'));
    expectValidBundle(bundle);
    expect(warnings).toEqual([]);
    expect(bundle.title).toBe('Should remote work be the default?');
    expect(bundle.graph.claims).toHaveLength(15);
    expect(bundle.graph.claims.find((c) => c.id === 'remote-default')).toMatchObject({ kind: 'thesis', tags: ['policy'] });
    expect(relationLines(bundle)).toEqual([
      'commute supports remote-default',
      'commute-unwinds attacks commute',
      'productivity supports remote-default',
      'juniors-suffer attacks remote-default',
      'office-culture attacks remote-default',
      'culture-online attacks office-culture',
      'juniors-learn-by-watching supports juniors-suffer [mentoring]',
      'watching-needs-presence supports juniors-suffer [mentoring]',
      'office-costs supports remote-default',
      'office-costs supports higher-pay [real-estate-step-1]',
      'savings-reinvested supports higher-pay [real-estate-step-1]',
      'higher-pay supports better-hires [real-estate]',
      'pay-attracts-talent supports better-hires [real-estate]',
      'better-hires supports remote-default',
      'pairing-tools undercuts (juniors-learn-by-watching supports juniors-suffer [mentoring])',
    ]);
    expect(bundle.evidence).toHaveLength(1);
  });
});

describe('importArgdown: warnings', () => {
  const cases: { name: string; input: string; line: number; message: RegExp }[] = [
    { name: 'statement defined twice', input: doc('[A]: one', '', '[A]: two'), line: 3, message: /defined more than once/ },
    { name: 'unknown kind', input: doc('[A]: a {kind: axiom}'), line: 1, message: /unknown kind "axiom"/ },
    { name: 'undercut of a statement', input: doc('[A]: a', '    _ [B]: b'), line: 2, message: /undercut must target an argument/ },
    {
      name: 'relation to a reconstructed argument',
      input: doc('<R>', '    - [X]: x', '', '(1) [P]: p', '----', '(2) [C]: c'),
      line: 2,
      message: /attached to its conclusion/,
    },
    { name: 'premise numbering gap', input: doc('(1) [P]: p', '(3) [Q]: q', '----', '(4) [C]: c'), line: 2, message: /should be \(2\)/ },
    { name: 'bad YAML data', input: doc('[A]: a {kind: [thesis}'), line: 1, message: /data ignored/ },
    { name: 'self relation', input: doc('[A]: a', '    + [A]'), line: 2, message: /cannot argue about itself/ },
  ];
  it.each(cases)('$name', ({ input, line, message }) => {
    const { warnings } = importArgdown(input);
    expect(warnings).toContainEqual({ line, message: expect.stringMatching(message) });
  });
});

describe('importArgdown: malformed input', () => {
  const cases: { name: string; input: string; line: number; reason: RegExp }[] = [
    { name: 'relation without parent', input: doc('+ [A]: a'), line: 1, reason: /has no parent/ },
    { name: 'relation after a blank line', input: doc('[T]: t', '', '    + [A]: a'), line: 3, reason: /has no parent/ },
    { name: 'relation without target', input: doc('[T]: t', '    +'), line: 2, reason: /no statement or argument after it/ },
    { name: 'unclosed front matter', input: doc('', '===', 'title: x', '[A]: a'), line: 2, reason: /front matter is not closed/ },
    {
      name: 'bad front matter',
      input: doc('===', 'title: x', 'just words', '==='),
      line: 3,
      reason: /front matter: expected "key: value"/,
    },
    { name: 'unclosed statement title', input: doc('[T]: t', '    + [Unclosed: text'), line: 2, reason: /missing its closing "\]"/ },
    { name: 'unclosed argument title', input: doc('<Unclosed: text'), line: 1, reason: /missing its closing ">"/ },
    { name: 'inference outside a PCS', input: doc('[A]: a', '', '----'), line: 3, reason: /outside a premise-conclusion structure/ },
    { name: 'PCS without inference', input: doc('(1) [A]: a', '(2) [B]: b'), line: 1, reason: /no inference line/ },
    { name: 'inference without conclusion', input: doc('(1) [A]: a', '----'), line: 2, reason: /without a conclusion/ },
    {
      name: 'inference without premises',
      input: doc('<X>', '', '(1) [A]: a', '----', '----', '(2) [B]: b'),
      line: 5,
      reason: /two inference lines/,
    },
    { name: 'expanded inference not closed', input: doc('(1) [A]: a', '--', 'Modus ponens'), line: 2, reason: /not closed/ },
    { name: 'argument as premise', input: doc('(1) <A>', '----', '(2) [B]: b'), line: 1, reason: /must be a statement/ },
    { name: 'text after an inference', input: doc('(1) [A]: a', '----', 'stray words'), line: 3, reason: /expected a numbered statement/ },
  ];
  it.each(cases)('$name', ({ input, line, reason }) => {
    const err = catchFormatError(() => importArgdown(input));
    expect(err.format).toBe('argdown');
    expect(err.line).toBe(line);
    expect(err.reason).toMatch(reason);
    expect(err.message).toContain(`line ${line}`);
  });
});

describe('exportArgdown', () => {
  it('writes trees under root claims and arguments for groups and undercut relations', () => {
    const { text, warnings } = exportArgdown(sampleBundle());
    expect(warnings).toEqual([]);
    expect(text).toBe(
      doc(
        '===',
        'title: "Remote work by default?"',
        'description: "A short debate\\nabout remote work."',
        '===',
        '',
        '[Remote work should be the default]: Remote work should be the default for office jobs. #policy #(work life) {kind: thesis}',
        '    + <For Remote work should be the default>',
        '    - <Against Remote work should be the default>',
        '    + <For Remote work should be the default 2>',
        '',
        '[What counts as an office job]: What counts as an office job? {kind: question}',
        '    + [Any job done mostly at a]: Any job done mostly at a desk.',
        '',
        '<For Remote work should be the default>',
        '    _ [Remote workers put in longer hours]: Remote workers put in longer hours. [Survey \\[2024\\]](https://example.org/survey?year=2024&topic=%28remote%29)',
        '        - [Longer hours lead to burnout, which]: Longer hours lead to burnout, which hurts output.',
        '            + [Remote workers put in longer hours]',
        '',
        '(1) [Employees save ~1h/day of commuting (see]: Employees save ~1h/day of commuting (see \\#census data). [US Census: Commuting](https://www.census.gov/topics/employment/commuting.html)',
        '    - [Some people *need* the commute to]: Some people \\*need\\* the commute to unwind \\[really\\].',
        '----',
        '(2) [Remote work should be the default]',
        '',
        '<Against Remote work should be the default>',
        '    _ [Screen sharing lets juniors watch remotely]: Screen sharing lets juniors watch remotely \\// mostly.',
        '',
        '(1) [Juniors learn by watching seniors work]: Juniors learn by watching seniors work. #mentoring',
        '(2) [Watching requires being in the same]: Watching requires being in the same room. #mentoring',
        '----',
        '(3) [Remote work should be the default]',
        '',
        '<For Remote work should be the default 2>',
        '',
        '(1) [Offices cost a lot : rent]: Offices cost \\{a lot\\}: rent, power & snacks.',
        '(2) [Savings can fund higher salaries for]: Savings can fund higher salaries for snake\\_case\\_lovers \\@home.',
        '----',
        '(3) [Remote work should be the default]',
        '',
      ),
    );
  });

  it('keeps text, tags, kinds, relations, groups and undercuts through a round trip', () => {
    const original = sampleBundle();
    const { bundle } = importArgdown(exportArgdown(original).text);
    expectValidBundle(bundle);
    const byText = (b: DebateBundle): string[] =>
      relationLines(b, 'text')
        .map((l) => l.replace(/ \[[^\]]*\]/g, ' [group]'))
        .sort();
    // Argdown undercuts a whole argument, so an undercut of a group comes back on its first premise.
    const expected = structuredClone(original);
    expected.graph.relations.find((r) => r.id === 'r5')!.to = 'r3';
    expect(byText(bundle)).toEqual(byText(expected));
    expect(bundle.graph.claims.map((c) => [c.text, c.kind, c.tags]).sort()).toEqual(
      original.graph.claims.map((c) => [c.text, c.kind, c.tags]).sort(),
    );
    expect(bundle.title).toBe(original.title);
    expect(bundle.description).toBe(original.description);
    expect(bundle.sources.map((s) => s.url).sort()).toEqual([
      'https://example.org/survey?year=2024&topic=%28remote%29',
      'https://www.census.gov/topics/employment/commuting.html',
    ]);
  });

  const stable = (name: string, input: () => DebateBundle) => ({ name, input });
  it.each([
    stable('sample bundle', sampleBundle),
    stable('imported fixture', () => importArgdown(fixture('remote-work.argdown')).bundle),
    stable('empty bundle', () => ({ title: '', description: '', graph: { claims: [], relations: [] }, sources: [], evidence: [] })),
  ])('export → import → export is byte-identical: $name', ({ input }) => {
    const first = exportArgdown(input()).text;
    const second = exportArgdown(importArgdown(first).bundle).text;
    expect(second).toBe(first);
  });

  // Seeded random graphs full of Argdown syntax characters; a failing seed is reproducible.
  it.each(Array.from({ length: 60 }, (_, i) => i + 1))('export → import → export is byte-identical: random seed %i', (seed) => {
    const original = randomBundle(seed, 10 + (seed % 4) * 10);
    const first = exportArgdown(original).text;
    const imported = importArgdown(first);
    expectValidBundle(imported.bundle);
    expect(imported.warnings).toEqual([]);
    expect(imported.bundle.graph.claims).toHaveLength(original.graph.claims.length);
    expect(exportArgdown(imported.bundle).text).toBe(first);
  });

  it('reports what Argdown cannot express', () => {
    const b = sampleBundle();
    b.graph.relations.push({ id: 'r99', from: 'desk', to: 'r5', kind: 'undercuts', group: '', author: '', createdAt: 0 });
    b.graph.relations.push({ id: 'r98', from: 'desk', to: 'gone', kind: 'supports', group: '', author: '', createdAt: 0 });
    const { warnings } = exportArgdown(b);
    expect(warnings.map((w) => w.message)).toEqual([
      'relation r98 is not between two distinct claims; omitted',
      'undercut r99 targets another undercut, which Argdown cannot express; omitted',
    ]);
  });
});
