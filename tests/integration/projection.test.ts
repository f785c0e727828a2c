import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addClaim, claimsMap, deleteClaims, ensureRoots, setClaimText, updateClaim } from '../../lib/model/doc';
import { PROJECT_DELAY_MS, readProjectedClaims, writeProjection } from '../../server/projection/claims';
import { STORES, connectClient, countTransactions, createDebateRow, storedDoc, synced, serverPerSuite, waitForAsync } from './harness';

/*
 * The claims projection reads only the claims a commit touched (server/projection/claims.ts,
 * `scope`), so one edit in a 10,000-claim debate does not re-read 10,000 texts. The end-to-end
 * behaviour (edits, deletions, undo reach the rows) is in evidence.test.ts; this pins the scoping.
 */
for (const name of STORES) {
  describe(`claims projection scope (${name})`, () => {
    const suite = serverPerSuite(name);

    it('writes the scoped claims (changed, added, deleted) and leaves every other row alone', async () => {
      const id = `scope-${name}`;
      await createDebateRow(suite.server, id);
      const doc = new Y.Doc();
      ensureRoots(doc);
      const ids = ['a', 'b', 'c', 'd'].map((k) => addClaim(doc, { id: k, text: `claim ${k}`, x: 0, y: 0, author: 't' }));
      const tx = { query: <T>(text: string, params?: unknown[]) => suite.server.db.sql.query<T>(text, params) };
      let { known } = await writeProjection(tx, id, readProjectedClaims(doc));
      const rows = async () =>
        Object.fromEntries(
          (await suite.server.db.prisma.debateClaim.findMany({ where: { debateId: id } })).map((r) => [
            r.claimId,
            `${r.text}${r.deleted ? ' (deleted)' : ''}`,
          ]),
        );
      expect(Object.keys(await rows()).sort()).toEqual(ids);

      // b and c change, d goes, e arrives; but only b, d and e are in scope.
      setClaimText(doc, 'b', 'claim b, edited');
      setClaimText(doc, 'c', 'claim c, edited');
      deleteClaims(doc, ['d']);
      addClaim(doc, { id: 'e', text: 'claim e', x: 0, y: 0, author: 't' });
      const scope = new Set(['b', 'd', 'e']);
      const claims = readProjectedClaims(doc, scope);
      expect([...claims.keys()].sort()).toEqual(['b', 'e']);
      const res = await writeProjection(tx, id, claims, known, scope);
      known = res.known;
      expect(res).toMatchObject({ upserted: 2, deleted: 1 });
      expect(await rows()).toEqual({
        a: 'claim a',
        b: 'claim b, edited',
        c: 'claim c', // out of scope: not read, not written
        d: 'claim d (deleted)',
        e: 'claim e',
      });

      // A full pass (no scope) brings everything in line.
      const full = await writeProjection(tx, id, readProjectedClaims(doc), known);
      expect(full).toMatchObject({ upserted: 1, deleted: 0 });
      expect((await rows()).c).toBe('claim c, edited');
    });

    /*
     * A pass over claims whose text and kind did not change (a drag moves a claim many times a
     * second) writes nothing, and opens no transaction either: at 10 moves a second the empty
     * BEGIN/COMMIT pairs were Postgres round trips landing on top of the room's own commits.
     */
    it('opens no transaction for moves, and one for a text edit', async () => {
      const id = `moves-${name}`;
      await createDebateRow(suite.server, id);
      const { doc, provider } = connectClient(suite.server, id);
      try {
        await synced(provider);
        addClaim(doc, { id: 'm1', text: 'moved around', x: 0, y: 0, author: 't' });
        const text = async () => (await suite.server.db.prisma.debateClaim.findFirst({ where: { debateId: id, claimId: 'm1' } }))?.text;
        await waitForAsync(async () => (await text()) === 'moved around', 10_000, 'first projection');

        const transactions = countTransactions(suite.server);
        try {
          for (let i = 1; i <= 5; i++) {
            updateClaim(doc, 'm1', { x: i * 10, y: i * 10 });
            await new Promise((r) => setTimeout(r, PROJECT_DELAY_MS + 50));
          }
          await new Promise((r) => setTimeout(r, PROJECT_DELAY_MS * 2));
          const duringMoves = transactions.count;
          // The moves were stored (and so reached the projection's hook) before we counted.
          expect(
            claimsMap(await storedDoc(suite.server, id))
              .get('m1')
              ?.get('x'),
          ).toBe(50);
          expect(duringMoves).toBe(0);
          transactions.reset();

          setClaimText(doc, 'm1', 'moved, then edited');
          await waitForAsync(async () => (await text()) === 'moved, then edited', 10_000, 'edited projection');
          expect(transactions.count).toBe(1);
        } finally {
          transactions.restore();
        }
      } finally {
        provider.destroy();
      }
    });
  });
}
