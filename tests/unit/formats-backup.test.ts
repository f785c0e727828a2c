import { describe, expect, it } from 'vitest';
import { BACKUP_VERSION, createBackup, exportBackup, importBackup } from '../../lib/formats/backup';
import { sampleBundle } from '../fixtures/formats/bundles';
import { catchFormatError, expectValidBundle, fixture } from '../fixtures/formats/helpers';

/**
 * A fixture with one edit applied, as JSON text: `set` replaces the value at a dotted path
 * (`graph.claims.1.text`), `push` appends to the array there, `delete` removes the key.
 */
function edit(file: string, path: string, op: 'set' | 'push' | 'delete', value?: unknown): string {
  const doc = JSON.parse(fixture(file)) as unknown;
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = doc as Record<string, unknown>;
  for (const k of keys) node = node[k] as Record<string, unknown>;
  if (op === 'set') node[last] = value;
  else if (op === 'push') (node[last] as unknown[]).push(value);
  else delete node[last];
  return JSON.stringify(doc);
}
const v2 = (path: string, value: unknown): string => edit('backup-v2.json', path, 'set', value);
const v1 = (path: string, value: unknown): string => edit('backup-v1.json', path, 'set', value);

describe('backup', () => {
  it('round-trips everything: graph, comments, hidden claims, sources, evidence, provenance, ratings, votes, roles', () => {
    const bundle = sampleBundle();
    bundle.provenance = { origin: 'kialo', claims: { thesis: { externalId: '1' } }, relations: {}, dialogue: [] };
    const backup = createBackup(
      bundle,
      {
        debate: { visibility: 'public', publicRole: 'viewer', locked: true },
        comments: [
          { id: 'c1', claimId: 'thesis', parentId: '', author: 'Ana', text: 'Source?', createdAt: 5, resolved: true },
          { id: 'c2', claimId: 'thesis', parentId: 'c1', author: 'Ben', text: 'Added.', createdAt: 6, resolved: false },
        ],
        hidden: ['thesis'],
        addedBy: new Map([['census', { addedBy: 'u1', addedByName: 'Ana' }]]),
        sourceRatings: [{ sourceId: 'census', userId: 'u1', rating: 4 }],
        votes: { agreement: [{ claimId: 'thesis', userId: 'u1', value: 4 }], impact: [{ relationId: 'r1', userId: 'u2', value: 0 }] },
        roles: [
          { userId: 'u1', role: 'owner' },
          { userId: 'u2', role: 'moderator' },
        ],
      },
      1_700_000_000_000,
    );
    const { text } = exportBackup(backup);
    const imported = importBackup(text);
    expect(imported.warnings).toEqual([]);
    expect(imported.backup).toEqual(backup);
    expect(imported.backup.sources.find((s) => s.id === 'census')).toMatchObject({ addedBy: 'u1', addedByName: 'Ana' });
    expect(exportBackup(imported.backup).text).toBe(text);
  });

  it('imports the current-version fixture', () => {
    const { backup, bundle, warnings } = importBackup(fixture('backup-v3.json'));
    expectValidBundle(bundle);
    expect(warnings).toEqual([]);
    expect(backup.version).toBe(BACKUP_VERSION);
    expect(backup.debate).toMatchObject({ visibility: 'team', publicRole: 'viewer', locked: false });
    expect(backup.comments.map((c) => [c.id, c.parentId])).toEqual([
      ['k1', ''],
      ['k2', 'k1'],
    ]);
    expect(backup.votes.impact).toEqual([{ relationId: 'r1', userId: 'u-ben', value: 2 }]);
    expect(backup.roles.map((r) => r.role)).toEqual(['owner', 'moderator']);
  });

  it('migrates version 2: fractions become the nearest step, roles become Crux roles', () => {
    const { backup, bundle, warnings } = importBackup(fixture('backup-v2.json'));
    expectValidBundle(bundle);
    expect(warnings).toEqual([{ path: '$.version', message: expect.stringMatching(/migrated from backup version 2/) }]);
    expect(backup.version).toBe(3);
    expect(bundle.graph.relations.map((r) => r.group)).toEqual(['money', 'money']);
    expect(backup.debate).toEqual({
      title: 'Remote work by default?',
      description: 'Current backup format.',
      visibility: 'private',
      publicRole: 'participant',
      locked: false,
    });
    expect(backup.sourceRatings).toEqual([{ sourceId: 'report', userId: 'u-ana', rating: 4 }]);
    expect(backup.votes).toEqual({
      agreement: [{ claimId: 'thesis', userId: 'u-ana', value: 3 }],
      impact: [{ relationId: 'r1', userId: 'u-ben', value: 2 }],
    });
    expect(backup.roles).toEqual([
      { userId: 'u-ana', role: 'owner' },
      { userId: 'u-ben', role: 'participant' },
    ]);
    expect(backup.comments).toEqual([]);
    expect(backup.hidden).toEqual([]);
  });

  it('migrates version 1 through 2: tags and groups appear empty, votes become agreement votes', () => {
    const { backup, bundle, warnings } = importBackup(fixture('backup-v1.json'));
    expectValidBundle(bundle);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/migrated from backup version 1/),
      expect.stringMatching(/migrated from backup version 2/),
    ]);
    expect(backup.version).toBe(3);
    expect(backup.debate).toMatchObject({ title: 'Remote work by default?', description: 'Backup written by an older Crux.' });
    expect(bundle.graph.claims.every((c) => c.tags.length === 0)).toBe(true);
    expect(bundle.graph.relations.map((r) => [r.id, r.kind, r.group])).toEqual([
      ['r1', 'supports', ''],
      ['r2', 'attacks', ''],
      ['r3', 'undercuts', ''],
    ]);
    expect(backup.votes).toEqual({
      agreement: [
        { claimId: 'thesis', userId: 'u-ana', value: 4 },
        { claimId: 'thesis', userId: 'u-ben', value: 1 },
        { claimId: 'juniors', userId: 'u-ana', value: 2 },
      ],
      impact: [],
    });
    expect(backup.sourceRatings).toEqual([]);
    expect(backup.roles).toEqual([
      { userId: 'u-ana', role: 'owner' },
      { userId: 'u-ben', role: 'participant' },
    ]);
  });

  const malformed: { name: string; input: string; path?: string; line?: number; reason: RegExp }[] = [
    {
      name: 'invalid JSON',
      input: '{\n  "format": "crux-backup",\n  "version": 2,\n  oops\n}',
      line: 4,
      reason: /invalid JSON: expected a property name/,
    },
    { name: 'not an object', input: '"backup"', path: '$', reason: /expected a JSON object/ },
    { name: 'not a Crux backup', input: v2('format', 'other'), path: '$.format', reason: /not a Crux backup/ },
    { name: 'version from the future', input: v2('version', 4), path: '$.version', reason: /newer than this Crux/ },
    { name: 'version not a number', input: v2('version', '2'), path: '$.version', reason: /positive integer/ },
    { name: 'claim text not a string', input: v2('graph.claims.1.text', 42), path: '$.graph.claims[1].text', reason: /./ },
    { name: 'unknown claim kind', input: v2('graph.claims.0.kind', 'axiom'), path: '$.graph.claims[0].kind', reason: /./ },
    { name: 'bad claim id', input: v2('graph.claims.2.id', 'no spaces allowed'), path: '$.graph.claims[2].id', reason: /A-Za-z0-9/ },
    {
      name: 'relation to unknown claim',
      input: v2('graph.relations.1.to', 'ghost'),
      path: '$.graph.relations[1].to',
      reason: /unknown claim ghost/,
    },
    {
      name: 'duplicate claim id',
      input: v2('graph.claims.2.id', 'costs'),
      path: '$.graph.claims[2].id',
      reason: /duplicate claim id costs/,
    },
    {
      name: 'evidence for unknown source',
      input: v2('evidence.0.sourceId', 'nope'),
      path: '$.evidence[0].sourceId',
      reason: /unknown source nope/,
    },
    { name: 'javascript: source url', input: v2('sources.0.url', 'javascript:alert(1)'), path: '$.sources[0].url', reason: /http\(s\)/ },
    { name: 'bad publishedAt', input: v2('sources.0.publishedAt', 'last year'), path: '$.sources[0].publishedAt', reason: /ISO 8601/ },
    { name: 'agreement out of range', input: v2('votes.agreement.0.value', 1.5), path: '$.votes.agreement[0].value', reason: /./ },
    {
      name: 'vote on unknown claim',
      input: v2('votes.agreement.0.claimId', 'ghost'),
      path: '$.votes.agreement[0].claimId',
      reason: /unknown claim ghost/,
    },
    {
      name: 'impact on unknown relation',
      input: v2('votes.impact.0.relationId', 'r9'),
      path: '$.votes.impact[0].relationId',
      reason: /unknown relation r9/,
    },
    {
      name: 'duplicate vote',
      input: edit('backup-v2.json', 'votes.agreement', 'push', { claimId: 'thesis', userId: 'u-ana', value: 0 }),
      path: '$.votes.agreement[1]',
      reason: /duplicate agreement vote/,
    },
    {
      name: 'rating of unknown source',
      input: v2('sourceRatings.0.sourceId', 'x'),
      path: '$.sourceRatings[0].sourceId',
      reason: /unknown source x/,
    },
    { name: 'unknown role', input: v2('roles.1.role', 'admin'), path: '$.roles[1].role', reason: /./ },
    {
      name: 'user with two roles',
      input: edit('backup-v2.json', 'roles', 'push', { userId: 'u-ben', role: 'viewer' }),
      path: '$.roles[2].userId',
      reason: /role for user u-ben/,
    },
    { name: 'missing votes', input: edit('backup-v2.json', 'votes', 'delete'), path: '$.votes', reason: /./ },
    { name: 'v1: agreement out of range', input: v1('votes.1.agreement', -1), path: '$.votes[1].agreement', reason: /./ },
    {
      name: 'v1: relation to unknown claim, path as in the v1 file',
      input: v1('relations.0.from', 'ghost'),
      path: '$.relations[0].from',
      reason: /unknown claim ghost/,
    },
    {
      name: 'v1: vote on unknown claim, path as in the v1 file',
      input: v1('votes.2.claimId', 'ghost'),
      path: '$.votes[2].claimId',
      reason: /unknown claim ghost/,
    },
    { name: 'v1: role that did not exist yet', input: v1('roles.0.role', 'commenter'), path: '$.roles[0].role', reason: /./ },
  ];
  it.each(malformed)('rejects: $name', ({ input, path, line, reason }) => {
    const err = catchFormatError(() => importBackup(input));
    expect(err.format).toBe('backup');
    expect(err.path).toBe(path);
    expect(err.line).toBe(line);
    expect(err.reason).toMatch(reason);
  });
});
