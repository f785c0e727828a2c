import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { importAif } from '../../lib/formats/aif';
import { importArgdown } from '../../lib/formats/argdown';
import { importBackup, type Backup } from '../../lib/formats/backup';
import { importKialo } from '../../lib/formats/kialo';
import { addComment, commentsMap, readComment } from '../../lib/model/comment';
import { claimsMap } from '../../lib/model/doc';
import type { ImportPreviewDto, ImportResultDto } from '../../lib/schemas/formats';
import type { CruxServer } from '../../server/app';
import type { ErrorBody } from '../../server/http/errors';
import { seedAgiDebate } from '../../server/services/seed';
import { importDebate } from '../../server/services/formats';
import * as exportRoute from '../../app/api/debates/[id]/export/route';
import * as importRoute from '../../app/api/import/route';
import { fixture } from '../fixtures/formats/helpers';
import { STORES, canonicalGraph, createStore, joinGuest, signUp, startTestServer, storedDoc, type TestStore, expectJson } from './harness';

/*
 * Import and export through the real route handlers (a Request in, a Response out) against the
 * runtime startTestServer installs, on every store.
 */

const ORIGIN = 'http://crux.test';
const SEEDED = 'agi';

type Who = { cookie: string; userId: string };

function exportReq(debateId: string, format: string, cookie?: string): Promise<Response> {
  const req = new Request(`${ORIGIN}/api/debates/${debateId}/export?format=${format}`, { headers: cookie ? { cookie } : {} });
  return exportRoute.GET(req, { params: Promise.resolve({ id: debateId }) });
}

function importReq(body: BodyInit, opts: { cookie?: string; dryRun?: boolean; type?: string } = {}): Promise<Response> {
  const req = new Request(`${ORIGIN}/api/import${opts.dryRun ? '?dryRun=1' : ''}`, {
    method: 'POST',
    headers: {
      origin: ORIGIN,
      ...(opts.type ? { 'content-type': opts.type } : {}),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
    },
    body,
  });
  return importRoute.POST(req);
}

const importJson = (body: unknown, opts: { cookie?: string; dryRun?: boolean } = {}) =>
  importReq(JSON.stringify(body), { ...opts, type: 'application/json' });

const json = expectJson;

async function exported(debateId: string, format: string, cookie?: string): Promise<string> {
  const r = await exportReq(debateId, format, cookie);
  const text = await r.text();
  expect(r.status, text.slice(0, 300)).toBe(200);
  return text;
}

/** Row counts of every table an import writes, to prove a failed or dry import wrote nothing. */
async function tableCounts(server: CruxServer): Promise<Record<string, number>> {
  const p = server.db.prisma;
  const [debates, snapshots, updates, claims, sources, evidence, ratings, votes, members, hidden] = await Promise.all([
    p.debate.count(),
    p.docSnapshot.count(),
    p.docUpdate.count(),
    p.debateClaim.count(),
    p.source.count(),
    p.evidence.count(),
    p.sourceRating.count(),
    p.vote.count(),
    p.debateMember.count(),
    p.hiddenClaim.count(),
  ]);
  return { debates, snapshots, updates, claims, sources, evidence, ratings, votes, members, hidden };
}

/** A backup with ids that differ between debates replaced by what they stand for (URLs, claim ids). */
function comparable(b: Backup) {
  const sourceKey = new Map(b.sources.map((s) => [s.id, s.url ?? s.title]));
  const sort = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
  return {
    debate: b.debate,
    graph: {
      claims: [...b.graph.claims].sort((x, y) => x.id.localeCompare(y.id)),
      relations: [...b.graph.relations].sort((x, y) => x.id.localeCompare(y.id)),
    },
    comments: [...b.comments].sort((x, y) => x.id.localeCompare(y.id)),
    hidden: [...b.hidden].sort(),
    sources: sort(b.sources.map(({ id: _id, ...s }) => s)),
    evidence: sort(b.evidence.map(({ id: _id, sourceId, ...e }) => ({ ...e, source: sourceKey.get(sourceId) }))),
    sourceRatings: sort(b.sourceRatings.map(({ sourceId, ...r }) => ({ ...r, source: sourceKey.get(sourceId) }))),
    votes: { agreement: sort(b.votes.agreement), impact: sort(b.votes.impact) },
  };
}

/** A Kialo discussion of `n` claims: a 4-ary tree of alternating Pro and Con under one thesis. */
function bigKialo(n: number): string {
  const numbers: string[] = ['1'];
  const lines = ['Discussion Title: A very large debate', '', '1. Remote work should be the default for office jobs.'];
  const childCount = new Map<number, number>();
  for (let i = 1; i < n; i++) {
    const parent = Math.floor((i - 1) / 4);
    const k = (childCount.get(parent) ?? 0) + 1;
    childCount.set(parent, k);
    numbers.push(`${numbers[parent]}.${k}`);
    lines.push(`${numbers[i]}. ${i % 3 === 0 ? 'Con' : 'Pro'}: Claim number ${i} about remote work and its effects.`);
  }
  // Kialo lists children right after their parent: order the entries depth first.
  const rank = (s: string) => s.split('.').map(Number);
  const body = lines.slice(2).sort((a, b) => {
    const x = rank(a.slice(0, a.indexOf(' ') - 1));
    const y = rank(b.slice(0, b.indexOf(' ') - 1));
    for (let j = 0; j < Math.min(x.length, y.length); j++) if (x[j] !== y[j]) return x[j]! - y[j]!;
    return x.length - y.length;
  });
  return [...lines.slice(0, 2), ...body].join('\n');
}

describe.each(STORES)('import and export (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer;
  let alice: Who; // moderator of the seeded debate
  let bob: Who; // participant through the public role

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
    await seedAgiDebate(server.db.prisma, { onlyIfEmpty: false });
    alice = await signUp(server, 'Alice', `alice-${storeName}@example.org`);
    bob = await signUp(server, 'Bob', `bob-${storeName}@example.org`);
    const p = server.db.prisma;
    await p.debateMember.create({ data: { debateId: SEEDED, userId: alice.userId, role: 'moderator' } });
    await p.debateMember.create({ data: { debateId: SEEDED, userId: bob.userId, role: 'participant' } });
    // People-facing state a backup must carry: votes on a claim and a relation, a rating, a
    // comment thread in the document and a hidden claim.
    const doc = await storedDoc(server, SEEDED);
    const claimIds = [...claimsMap(doc).keys()].sort();
    const relationId = [...doc.getMap('relations').keys()].sort()[0]!;
    const before = Y.encodeStateVector(doc);
    const root = addComment(doc, { id: 'k1', claimId: claimIds[0]!, author: 'Alice', text: 'Which source says so?', now: 10 });
    addComment(doc, { id: 'k2', claimId: claimIds[0]!, parentId: root, author: 'Bob', text: 'The second one.', now: 11 });
    await p.docUpdate.create({ data: { debateId: SEEDED, data: new Uint8Array(Y.encodeStateAsUpdate(doc, before)) } });
    doc.destroy();
    const source = await p.source.findFirstOrThrow({ where: { debateId: SEEDED }, orderBy: { id: 'asc' } });
    await p.sourceRating.create({ data: { sourceId: source.id, userKey: alice.userId, rating: 4 } });
    await p.vote.createMany({
      data: [
        { id: 'v1', debateId: SEEDED, targetKind: 'claim', targetId: claimIds[1]!, userKey: alice.userId, value: 3 },
        { id: 'v2', debateId: SEEDED, targetKind: 'claim', targetId: claimIds[1]!, userKey: bob.userId, value: 0 },
        { id: 'v3', debateId: SEEDED, targetKind: 'relation', targetId: relationId, userKey: bob.userId, value: 4 },
      ],
    });
    await p.hiddenClaim.create({ data: { debateId: SEEDED, claimId: claimIds[2]!, hiddenById: alice.userId } });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  describe('export', () => {
    const formats = [
      {
        format: 'argdown',
        type: /text\/plain/,
        ext: '.argdown',
        check: (t: string) => expect(importArgdown(t).bundle.graph.claims.length).toBeGreaterThan(20),
      },
      {
        format: 'aif',
        type: /application\/json/,
        ext: '.aif.json',
        check: (t: string) => expect(importAif(t).bundle.graph.claims.length).toBeGreaterThan(20),
      },
      {
        format: 'kialo',
        type: /text\/plain/,
        ext: '.kialo.txt',
        check: (t: string) => expect(importKialo(t).bundle.graph.claims.length).toBeGreaterThan(20),
      },
      { format: 'markdown', type: /text\/markdown/, ext: '.md', check: (t: string) => expect(t).toMatch(/^# Will AGI happen\?/m) },
      {
        format: 'backup',
        type: /application\/json/,
        ext: '.crux-backup.json',
        check: (t: string) => expect(importBackup(t).backup.version).toBe(3),
      },
    ];

    it.each(formats)('$format: a download that its importer reads back', async ({ format, type, ext, check }) => {
      const r = await exportReq(SEEDED, format, alice.cookie);
      const text = await r.text();
      expect(r.status, text.slice(0, 200)).toBe(200);
      expect(r.headers.get('content-type')).toMatch(type);
      expect(r.headers.get('content-disposition')).toBe(
        `attachment; filename="will-agi-happen${ext}"; filename*=UTF-8''will-agi-happen${ext}`,
      );
      check(text);
    });

    it('argdown carries the title in front matter; markdown carries strength scores', async () => {
      expect(await exported(SEEDED, 'argdown')).toMatch(/^===\ntitle: .*Will AGI happen\?/);
      expect(await exported(SEEDED, 'markdown')).toMatch(/\(strength \d/);
    });

    it('backup needs a moderator: participants get 403, visitors 401; other formats are open to readers', async () => {
      expect((await exportReq(SEEDED, 'backup', bob.cookie)).status).toBe(403);
      expect((await exportReq(SEEDED, 'backup')).status).toBe(401);
      expect((await exportReq(SEEDED, 'argdown')).status).toBe(200);
      expect((await exportReq(SEEDED, 'aif', bob.cookie)).status).toBe(200);
    });

    it('names the field of a bad format and 404s an unknown debate', async () => {
      const bad = await json<ErrorBody>(exportReq(SEEDED, 'pdf', alice.cookie), 400);
      expect(bad.error.fields?.[0]?.field).toBe('format');
      await json<ErrorBody>(exportReq('nope', 'argdown', alice.cookie), 404);
    });
  });

  describe('import', () => {
    const files = [
      { file: 'remote-work.argdown', format: 'argdown' },
      { file: 'remote-work.aifdb.json', format: 'aif' },
      { file: 'remote-work.ova3.json', format: 'aif' },
      { file: 'remote-work.kialo.txt', format: 'kialo' },
      { file: 'backup-v3.json', format: 'backup' },
      { file: 'backup-v2.json', format: 'backup' },
      { file: 'backup-v1.json', format: 'backup' },
    ];

    it.each(files)('$file: detected as $format, previewed, then created whole', async ({ file, format }) => {
      const text = fixture(file);
      const before = await tableCounts(server);
      const preview = await json<ImportPreviewDto>(importJson({ text }, { cookie: alice.cookie, dryRun: true }), 200);
      expect(preview).toMatchObject({ dryRun: true, ok: true, format, errors: [] });
      expect(preview.counts.claims).toBeGreaterThan(2);
      expect(await tableCounts(server)).toEqual(before);

      const res = await json<ImportResultDto>(importJson({ text, format }, { cookie: alice.cookie }), 201);
      expect(res.counts).toEqual(preview.counts);
      const row = await server.db.prisma.debate.findUniqueOrThrow({ where: { id: res.debate.id } });
      expect(row.ownerUserId).toBe(alice.userId);
      const doc = await storedDoc(server, res.debate.id);
      expect(claimsMap(doc).size).toBe(res.counts.claims);
      expect(doc.getMap('relations').size).toBe(res.counts.relations);
      doc.destroy();
      const p = server.db.prisma;
      expect(await p.debateClaim.count({ where: { debateId: res.debate.id } })).toBe(res.counts.claims);
      expect(await p.source.count({ where: { debateId: res.debate.id } })).toBe(res.counts.sources);
      expect(await p.evidence.count({ where: { debateId: res.debate.id } })).toBe(res.counts.evidence);
    });

    it('AIF: unknown node types are reported as warnings with their JSON path', async () => {
      const aif = JSON.parse(fixture('remote-work.aifdb.json')) as { nodes: Record<string, unknown>[] };
      aif.nodes.push({ nodeID: '999', text: 'mystery', type: 'XYZ', timestamp: '' });
      const preview = await json<ImportPreviewDto>(importJson({ text: JSON.stringify(aif) }, { cookie: alice.cookie, dryRun: true }), 200);
      expect(preview.warnings).toContainEqual({
        path: `$.nodes[${aif.nodes.length - 1}].type`,
        message: expect.stringMatching(/unknown node type "XYZ"/),
      });
    });

    it('accepts a multipart upload, takes the title override, and imports into a team the caller is in', async () => {
      const team = await server.db.prisma.team.create({ data: { id: `team-${storeName}`, name: 'Formats team' } });
      await server.db.prisma.teamMember.create({ data: { teamId: team.id, userId: alice.userId, role: 'participant' } });
      const form = new FormData();
      form.set('file', new File([fixture('remote-work.kialo.txt')], 'remote.txt', { type: 'text/plain' }));
      form.set('title', 'Remote, imported');
      form.set('teamId', team.id);
      const res = await json<ImportResultDto>(importReq(form, { cookie: alice.cookie }), 201);
      expect(res).toMatchObject({ format: 'kialo', debate: { title: 'Remote, imported' } });
      const row = await server.db.prisma.debate.findUniqueOrThrow({ where: { id: res.debate.id } });
      expect(row).toMatchObject({ ownerTeamId: team.id, ownerUserId: null, visibility: 'team' });
      // Bob is not in the team.
      const denied = await json<ErrorBody>(
        importJson({ text: fixture('remote-work.kialo.txt'), teamId: team.id }, { cookie: bob.cookie }),
        403,
      );
      expect(denied.error.fields?.[0]?.field).toBe('teamId');
    });

    it('signed-out callers get 401 and guests 403; nothing is written', async () => {
      const before = await tableCounts(server);
      await json<ErrorBody>(importJson({ text: fixture('remote-work.kialo.txt') }), 401);
      const guest = await joinGuest(server, 'Gus');
      await json<ErrorBody>(importJson({ text: fixture('remote-work.kialo.txt') }, { cookie: guest.cookie }), 403);
      expect(await tableCounts(server)).toEqual(before);
    });

    const malformed = [
      { name: 'argdown: unclosed front matter', format: 'argdown', text: '===\ntitle: x\n\n[A]: a', where: /line \d+/ },
      { name: 'kialo: child before its parent', format: 'kialo', text: '1. Thesis\n1.2.1. Pro: orphan', where: /line 2/ },
      { name: 'aif: broken JSON', format: 'aif', text: '{\n  "nodes": [\n    {"nodeID": 1,,}\n  ]\n}', where: /line 3/ },
      {
        name: 'backup: bad claim kind',
        format: 'backup',
        text: fixture('backup-v3.json').replace('"kind": "thesis"', '"kind": "axiom"'),
        where: /\$\.graph\.claims\[0\]\.kind/,
      },
      {
        name: 'backup: vote out of range',
        format: 'backup',
        text: fixture('backup-v3.json').replace('"value": 3', '"value": 9'),
        where: /\$\.votes\.agreement\[0\]\.value/,
      },
    ];

    it.each(malformed)('$name: 422 naming the place; the preview lists it; nothing is written', async ({ format, text, where }) => {
      const before = await tableCounts(server);
      const err = await json<ErrorBody>(importJson({ format, text }, { cookie: alice.cookie }), 422);
      expect(err.error.fields?.[0]?.field).toBe('text');
      expect(err.error.fields?.[0]?.message).toMatch(where);
      const preview = await json<ImportPreviewDto>(importJson({ format, text }, { cookie: alice.cookie, dryRun: true }), 200);
      expect(preview.ok).toBe(false);
      expect(preview.errors).toHaveLength(1);
      const e = preview.errors[0]!;
      expect(e.line !== undefined ? `line ${e.line}` : e.path).toMatch(where);
      expect(await tableCounts(server)).toEqual(before);
    });

    it('bad requests name the field: unknown format, empty text, not JSON', async () => {
      expect(
        (await json<ErrorBody>(importJson({ format: 'docx', text: 'x' }, { cookie: alice.cookie }), 400)).error.fields?.[0]?.field,
      ).toBe('format');
      expect((await json<ErrorBody>(importJson({ text: '' }, { cookie: alice.cookie }), 400)).error.fields?.[0]?.field).toBe('text');
      await json<ErrorBody>(importReq('{oops', { cookie: alice.cookie, type: 'application/json' }), 400);
    });

    it('413 past the limits: 5 MB of text, 50 MB for anything; a backup may pass 5 MB', async () => {
      const before = await tableCounts(server);
      const big = `[A]: ${'x'.repeat(5 * 1024 * 1024)}`;
      const over = await json<ErrorBody>(importJson({ format: 'argdown', text: big }, { cookie: alice.cookie }), 413);
      expect(over.error.message).toMatch(/the argdown text is 5 MB; the limit is 5 MB \(a Crux backup may be up to 50 MB\)/);
      // Past 5 MB a backup is still read (and here rejected for what it says, not for its size).
      const bigBackup = fixture('backup-v3.json').replace('"Current backup format."', JSON.stringify('y'.repeat(6 * 1024 * 1024)));
      const parsed = await json<ErrorBody>(importJson({ format: 'backup', text: bigBackup }, { cookie: alice.cookie }), 422);
      expect(parsed.error.fields?.[0]?.message).toMatch(/\$\.debate\.description/);
      const huge = await json<ErrorBody>(
        importReq(new Uint8Array(51 * 1024 * 1024), { cookie: alice.cookie, type: 'application/json' }),
        413,
      );
      expect(huge.error.message).toMatch(/limited to 5 MB, a Crux backup to 50 MB/);
      expect(await tableCounts(server)).toEqual(before);
    });

    it('a failure in the middle of the transaction (a constraint violation on evidence) writes nothing', async () => {
      const sql = server.db.sql;
      // A real constraint, added for this test only, that the import's evidence row breaks
      // after the debate, its document, claims and sources were already inserted.
      await sql.exec(`ALTER TABLE "Evidence" ADD CONSTRAINT "test_no_poison" CHECK ("quote" <> 'POISON') NOT VALID`);
      try {
        const text = fixture('backup-v3.json').replace('"quote": ""', '"quote": "POISON"');
        const before = await tableCounts(server);
        const r = await importJson({ text }, { cookie: alice.cookie });
        expect(r.status).toBe(500);
        expect(await tableCounts(server)).toEqual(before);
      } finally {
        await sql.exec(`ALTER TABLE "Evidence" DROP CONSTRAINT "test_no_poison"`);
      }
    });
  });

  it('backup → restore → backup is lossless up to ids; people without an account are dropped and counted', async () => {
    const original = importBackup(await exported(SEEDED, 'backup', alice.cookie)).backup;
    expect(original.comments).toHaveLength(2);
    expect(original.hidden).toHaveLength(1);
    expect(original.votes.agreement).toHaveLength(2);
    expect(original.votes.impact).toHaveLength(1);
    expect(original.sourceRatings).toHaveLength(1);

    const res = await json<ImportResultDto>(importJson({ text: exportBackupText(original) }, { cookie: alice.cookie }), 201);
    expect(res.dropped).toEqual({ votes: 0, ratings: 0, roles: 0 });
    const restored = importBackup(await exported(res.debate.id, 'backup', alice.cookie)).backup;
    expect(comparable(restored)).toEqual(comparable(original));
    // The importer owns the copy; everyone else keeps their role.
    expect(restored.roles).toEqual([
      { userId: alice.userId, role: 'owner' },
      { userId: bob.userId, role: 'participant' },
    ]);
    const a = await storedDoc(server, SEEDED);
    const b = await storedDoc(server, res.debate.id);
    expect(canonicalGraph(b)).toEqual(canonicalGraph(a));
    const comments = (d: Y.Doc) =>
      [...commentsMap(d).entries()].map(([id, m]) => readComment(id, m)).sort((x, y) => x!.id.localeCompare(y!.id));
    expect(comments(b)).toEqual(comments(a));
    a.destroy();
    b.destroy();

    // The same backup from a server where Bob has no account: his votes and role are left out.
    const foreign = structuredClone(original);
    for (const v of foreign.votes.agreement) if (v.userId === bob.userId) v.userId = 'someone-elsewhere';
    for (const v of foreign.votes.impact) if (v.userId === bob.userId) v.userId = 'someone-elsewhere';
    for (const r of foreign.roles) if (r.userId === bob.userId) r.userId = 'someone-elsewhere';
    const partial = await json<ImportResultDto>(importJson({ text: exportBackupText(foreign) }, { cookie: alice.cookie }), 201);
    expect(partial.dropped).toEqual({ votes: 2, ratings: 0, roles: 1 });
    expect(partial.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/2 votes, 0 source ratings and 1 roles are left out/),
    );
  });

  it('argdown export → import → export is stable', async () => {
    const first = await exported(SEEDED, 'argdown');
    const res = await json<ImportResultDto>(importJson({ text: first }, { cookie: alice.cookie }), 201);
    const second = await exported(res.debate.id, 'argdown', alice.cookie);
    const third = await exported(
      (await json<ImportResultDto>(importJson({ text: second }, { cookie: alice.cookie }), 201)).debate.id,
      'argdown',
      alice.cookie,
    );
    expect(third).toBe(second);
  });

  it('imports 20,000 Kialo claims through the service within the limits', async () => {
    const text = bigKialo(20_000);
    const t0 = performance.now();
    const res = (await importDebate(
      server,
      { userId: alice.userId, name: 'Alice' },
      { format: 'kialo', text },
      { dryRun: false },
    )) as ImportResultDto;
    const ms = performance.now() - t0;
    console.log(
      `[formats] ${storeName}: 20,000-claim Kialo import (${(text.length / 1024 / 1024).toFixed(2)} MB) took ${Math.round(ms)} ms ` +
        `(parse + plan ${res.timings.parseMs} ms, transaction ${res.timings.writeMs} ms)`,
    );
    expect(res.counts).toMatchObject({ claims: 20_000, relations: 19_999 });
    expect(await server.db.prisma.debateClaim.count({ where: { debateId: res.debate.id } })).toBe(20_000);
    const doc = await storedDoc(server, res.debate.id);
    expect(claimsMap(doc).size).toBe(20_000);
    doc.destroy();
  }, 300_000);
});

function exportBackupText(b: Backup): string {
  return JSON.stringify(b);
}
