import { describe, expect, it } from 'vitest';
import { exportAif, importAif } from '../../lib/formats/aif';
import type { DebateBundle } from '../../lib/formats/types';
import { sampleBundle } from '../fixtures/formats/bundles';
import { catchFormatError, expectValidBundle, fixture, relationLines } from '../fixtures/formats/helpers';

const aifdb = (nodes: unknown[], edges: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ nodes, edges, ...extra });
const I = (nodeID: string, text = `text ${nodeID}`) => ({ nodeID, text, type: 'I' });
const S = (nodeID: string, type: string, text = '') => ({ nodeID, text, type });
const E = (fromID: string, toID: string) => ({ fromID, toID });

describe('importAif: mapping', () => {
  const cases: { name: string; input: string; relations: string[]; check?: (b: DebateBundle) => void }[] = [
    {
      name: 'RA with one premise is a support',
      input: aifdb([I('1'), I('2'), S('3', 'RA')], [E('2', '3'), E('3', '1')]),
      relations: ['2 supports 1'],
    },
    {
      name: 'RA with several premises is a co-premise group',
      input: aifdb([I('1'), I('2'), I('3'), S('9', 'RA')], [E('2', '9'), E('3', '9'), E('9', '1')]),
      relations: ['2 supports 1 [9]', '3 supports 1 [9]'],
    },
    {
      name: 'CA on an I-node is an attack',
      input: aifdb([I('1'), I('2'), S('3', 'CA')], [E('2', '3'), E('3', '1')]),
      relations: ['2 attacks 1'],
    },
    {
      name: 'CA on an RA is an undercut, whatever the node order',
      input: aifdb([S('5', 'CA'), I('1'), I('2'), I('4'), S('3', 'RA')], [E('4', '5'), E('5', '3'), E('2', '3'), E('3', '1')]),
      relations: ['2 supports 1', '4 undercuts (2 supports 1)'],
    },
    {
      name: 'CA on a CA is an undercut of the attack',
      input: aifdb([I('1'), I('2'), I('4'), S('3', 'CA'), S('5', 'CA')], [E('2', '3'), E('3', '1'), E('4', '5'), E('5', '3')]),
      relations: ['2 attacks 1', '4 undercuts (2 attacks 1)'],
    },
    {
      name: 'MA is a support flagged as rephrase',
      input: aifdb([I('1'), I('2'), S('3', 'MA', 'Default Rephrase')], [E('1', '3'), E('3', '2')]),
      relations: ['1 supports 2'],
      check: (b) => expect(b.provenance?.relations['3']).toEqual({ externalId: '3', scheme: '', rephrase: true }),
    },
    {
      name: 'numeric node ids and scheme names',
      input: JSON.stringify({
        nodes: [I('1'), { nodeID: 2, text: 'b', type: 'I' }, { nodeID: 3, text: 'Argument From Expert Opinion', type: 'RA' }],
        edges: [
          { fromID: 2, toID: 3 },
          { fromID: 3, toID: '1' },
        ],
      }),
      relations: ['2 supports 1'],
      check: (b) => expect(b.provenance?.relations['3']?.scheme).toBe('Argument From Expert Opinion'),
    },
    {
      name: 'node ids that are not valid claim ids are cleaned',
      input: aifdb([I('a b/c'), I('a-b-c'), S('s 1', 'RA')], [E('a-b-c', 's 1'), E('s 1', 'a b/c')]),
      relations: ['a-b-c-2 supports a-b-c'],
      check: (b) => expect(b.provenance?.claims['a-b-c']).toEqual({ externalId: 'a b/c' }),
    },
  ];
  it.each(cases)('$name', ({ input, relations, check }) => {
    const { bundle } = importAif(input);
    expectValidBundle(bundle);
    expect(relationLines(bundle)).toEqual(relations);
    check?.(bundle);
  });

  it('imports the AIFdb fixture with dialogue provenance, speakers and warnings', () => {
    const { bundle, warnings } = importAif(fixture('remote-work.aifdb.json'));
    expectValidBundle(bundle);
    expect(bundle.graph.claims.map((c) => [c.id, c.kind, c.author])).toEqual([
      ['101', 'thesis', 'Alice Moreau'],
      ['102', 'claim', ''],
      ['103', 'claim', ''],
      ['104', 'claim', ''],
      ['105', 'claim', 'Bob Okafor'],
      ['106', 'claim', ''],
      ['107', 'claim', ''],
    ]);
    expect(relationLines(bundle)).toEqual([
      '102 supports 101',
      '103 supports 101 [202]',
      '104 supports 101 [202]',
      '105 attacks 101',
      '106 undercuts (102 supports 101)',
      '101 supports 107',
    ]);
    expect(bundle.provenance?.relations['202-1']?.scheme).toBe('Argument From Consequences');
    expect(bundle.provenance?.dialogue.map((d) => [d.externalId, d.type, d.speaker, d.claimIds])).toEqual([
      ['301', 'L', 'Alice Moreau', ['101']],
      ['302', 'L', 'Bob Okafor', ['105']],
      ['401', 'YA', null, ['101']],
      ['402', 'YA', null, ['105']],
      ['501', 'TA', null, []],
    ]);
    expect(warnings).toEqual([
      { path: '$.edges[17].toID', message: 'edge refers to unknown node 999; edge ignored' },
      { path: '$.nodes[12].type', message: 'PA (preference) nodes have no Crux equivalent; node ignored' },
      { path: '$.nodes[18].type', message: 'unknown node type "EN"; node ignored' },
    ]);
  });

  it('imports the OVA3 fixture with OVA positions', () => {
    const { bundle, warnings } = importAif(fixture('remote-work.ova3.json'));
    expectValidBundle(bundle);
    expect(warnings).toEqual([]);
    expect(bundle.graph.claims.map((c) => [c.id, c.kind, c.x, c.y])).toEqual([
      ['1_1709633520', 'thesis', 420, 60],
      ['2_1709633520', 'claim', 300, 320],
      ['3_1709633520', 'claim', 260, 560.5],
    ]);
    expect(relationLines(bundle)).toEqual(['2_1709633520 supports 1_1709633520', '3_1709633520 attacks 2_1709633520']);
  });

  const warningCases: { name: string; input: string; path: string; message: RegExp }[] = [
    {
      name: 'scheme without conclusion',
      input: aifdb([I('1'), S('2', 'RA')], [E('1', '2')]),
      path: '$.nodes[1]',
      message: /no conclusion/,
    },
    { name: 'scheme without premises', input: aifdb([I('1'), S('2', 'CA')], [E('2', '1')]), path: '$.nodes[1]', message: /no premises/ },
    {
      name: 'RA into an RA',
      input: aifdb([I('1'), I('2'), I('3'), S('4', 'RA'), S('5', 'RA')], [E('1', '4'), E('4', '2'), E('3', '5'), E('5', '4')]),
      path: '$.nodes[4]',
      message: /not supported/,
    },
    {
      name: 'scheme with two conclusions',
      input: aifdb([I('1'), I('2'), I('3'), S('4', 'RA')], [E('1', '4'), E('4', '2'), E('4', '3')]),
      path: '$.nodes[3]',
      message: /only the first/,
    },
    { name: 'unknown edge end', input: aifdb([I('1')], [E('7', '1')]), path: '$.edges[0].fromID', message: /unknown node 7/ },
    { name: 'unknown node type', input: aifdb([I('1'), S('2', 'XX')], []), path: '$.nodes[1].type', message: /unknown node type "XX"/ },
    {
      name: 'CA cycle',
      input: aifdb([I('1'), I('2'), S('3', 'CA'), S('4', 'CA')], [E('1', '3'), E('3', '4'), E('2', '4'), E('4', '3')]),
      path: '$.nodes[2]',
      message: /cycle/,
    },
  ];
  it.each(warningCases)('warns: $name', ({ input, path, message }) => {
    const { warnings } = importAif(input);
    expect(warnings).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('importAif: malformed input', () => {
  const cases: { name: string; input: string; path?: string; line?: number; reason: RegExp }[] = [
    { name: 'invalid JSON', input: '{\n  "nodes": [\n    {"nodeID": "1",}\n  ]\n}', line: 3, reason: /invalid JSON/ },
    { name: 'not an object', input: '[1, 2]', path: '$', reason: /expected a JSON object/ },
    { name: 'neither AIFdb nor OVA3', input: '{"graph": {}}', path: '$', reason: /expected AIFdb/ },
    { name: 'nodes not an array', input: '{"nodes": {}, "edges": []}', path: '$.nodes', reason: /expected an array/ },
    { name: 'missing edges', input: '{"nodes": []}', path: '$.edges', reason: /missing array/ },
    { name: 'node without nodeID', input: aifdb([I('1'), { text: 'x', type: 'I' }], []), path: '$.nodes[1].nodeID', reason: /./ },
    { name: 'node with numeric text', input: aifdb([{ nodeID: '1', text: 5, type: 'I' }], []), path: '$.nodes[0].text', reason: /./ },
    { name: 'duplicate nodeID', input: aifdb([I('1'), I('1')], []), path: '$.nodes[1].nodeID', reason: /duplicate nodeID 1/ },
    { name: 'OVA3 AIF not an object', input: '{"AIF": [], "OVA": {}}', path: '$.AIF', reason: /expected an object/ },
    {
      name: 'OVA3 edge without toID',
      input: JSON.stringify({ AIF: { nodes: [], edges: [{ fromID: '1' }] } }),
      path: '$.AIF.edges[0].toID',
      reason: /./,
    },
    {
      name: 'OVA position not a number',
      input: JSON.stringify({ AIF: { nodes: [], edges: [] }, OVA: { nodes: [{ nodeID: '1', x: 'left', y: 0 }] } }),
      path: '$.OVA.nodes[0].x',
      reason: /./,
    },
  ];
  it.each(cases)('$name', ({ input, path, line, reason }) => {
    const err = catchFormatError(() => importAif(input));
    expect(err.format).toBe('aif');
    expect(err.path).toBe(path);
    expect(err.line).toBe(line);
    expect(err.reason).toMatch(reason);
  });
});

describe('exportAif', () => {
  it('writes OVA3 form: AIF nodes and edges, OVA positions, the crux block', () => {
    const doc = JSON.parse(exportAif(sampleBundle()).text) as {
      AIF: { nodes: { nodeID: string; type: string; text: string }[]; edges: { fromID: string; toID: string }[] };
      OVA: { nodes: { nodeID: string; x: number; y: number }[] };
      crux: { title: string };
    };
    const types = doc.AIF.nodes.map((n) => n.type);
    expect(types.filter((t) => t === 'I')).toHaveLength(12);
    // r1, r2, mentoring, money, r5, r8, r9, r10, r11 → 9 scheme nodes.
    expect(types.filter((t) => t !== 'I').sort()).toEqual(['CA', 'CA', 'CA', 'CA', 'CA', 'RA', 'RA', 'RA', 'RA']);
    const mentoring = doc.AIF.nodes.find((n) => n.nodeID === 'mentoring')!;
    expect(mentoring.type).toBe('CA');
    // The undercut is its own CA node between the undercutter and the attacked scheme node.
    expect(doc.AIF.edges.filter((e) => e.toID === 'mentoring').map((e) => e.fromID)).toEqual(['juniors', 'presence', 'r5']);
    expect(doc.AIF.edges.filter((e) => e.toID === 'r5').map((e) => e.fromID)).toEqual(['screens']);
    expect(doc.OVA.nodes.find((n) => n.nodeID === 'commute')).toMatchObject({ x: -300, y: 200 });
    expect(doc.OVA.nodes).toHaveLength(doc.AIF.nodes.length);
    expect(doc.crux.title).toBe('Remote work by default?');
  });

  it('round-trips claims, kinds, tags, positions and relations', () => {
    const original = sampleBundle();
    const { bundle, warnings } = importAif(exportAif(original).text);
    expectValidBundle(bundle);
    expect(warnings).toEqual([]);
    expect(bundle.title).toBe(original.title);
    expect(bundle.graph.claims.map((c) => [c.id, c.text, c.kind, c.tags, c.x, c.y])).toEqual(
      original.graph.claims.map((c) => [c.id, c.text, c.kind, c.tags, c.x, c.y]),
    );
    // Groups and undercuts survive; an undercut of a group lands on its first premise.
    const normalize = (b: DebateBundle): string[] =>
      relationLines(b, 'text')
        .map((l) => l.replace(/ \[[^\]]*\]/g, ' [group]'))
        .sort();
    const expected = structuredClone(original);
    expected.graph.relations.find((r) => r.id === 'r5')!.to = 'r3';
    expect(normalize(bundle)).toEqual(normalize(expected));
  });

  it('keeps ids like __proto__ and constructor as ordinary keys', () => {
    const input = aifdb(
      [I('__proto__'), I('constructor'), S('toString', 'RA', 'Argument From Analogy')],
      [E('constructor', 'toString'), E('toString', '__proto__')],
    );
    const { bundle } = importAif(input);
    expectValidBundle(bundle);
    expect(Object.keys(bundle.provenance!.claims)).toEqual(['__proto__', 'constructor']);
    const again = importAif(exportAif(bundle).text).bundle;
    expect(relationLines(again)).toEqual(['constructor supports __proto__']);
    expect(again.provenance?.relations['toString']?.scheme).toBe('Argument From Analogy');
  });

  it('writes a rephrase back as an MA node and keeps scheme names', () => {
    const { bundle } = importAif(fixture('remote-work.aifdb.json'));
    const doc = JSON.parse(exportAif(bundle).text) as { AIF: { nodes: { nodeID: string; type: string; text: string }[] } };
    expect(doc.AIF.nodes.find((n) => n.nodeID === '205')).toMatchObject({ type: 'MA', text: 'Default Rephrase' });
    expect(doc.AIF.nodes.find((n) => n.nodeID === '202')).toMatchObject({ type: 'RA', text: 'Argument From Consequences' });
    expect(doc.AIF.nodes.find((n) => n.nodeID === '204')).toMatchObject({ type: 'CA', text: 'Default Conflict' });
  });
});
