/*
 * Builds the join-storm's debate: 10,000 claims and 12,000 relations (a forest under five theses
 * plus cross-links), texts of 40–240 characters, written with lib/model/doc.ts writeGraph the way
 * an import does, and checked with validateDoc. Writes the full-state update to the file given as
 * the first argument and prints its facts as JSON. Seeded, so every run stores the same bytes.
 */
import { writeFile } from 'node:fs/promises';
import * as Y from 'yjs';
import type { Claim } from '../lib/model/claim';
import type { Relation } from '../lib/model/relation';
import { validateDoc, writeGraph, newId } from '../lib/model/doc';
import { createPrng } from '../lib/testing/prng';

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 10_000);
const RELATIONS = Math.round(CLAIMS * 1.2);
const out = process.argv[2];
if (!out) throw new Error('usage: make-doc.ts <out file>');

const rng = createPrng(7);
const WORDS =
  'the a model scaling compute data will not can because evidence shows that training limits progress energy cost human level reasoning benchmark trend law hardware algorithm'.split(
    ' ',
  );
const sentence = (): string => {
  const len = 40 + rng.int(200);
  let s = '';
  while (s.length < len) s += (s ? ' ' : '') + WORDS[rng.int(WORDS.length)];
  return s.slice(0, len);
};
const t0 = 1_750_000_000_000;
const claims: Claim[] = [];
for (let i = 0; i < CLAIMS; i++)
  claims.push({
    id: newId(() => rng.next()),
    text: sentence(),
    kind: i < 5 ? 'thesis' : 'claim',
    x: rng.int(20_000),
    y: rng.int(20_000),
    author: `user${rng.int(50)}`,
    tags: rng.bool(0.2) ? ['evidence'] : [],
    createdAt: t0 + i * 1000,
    updatedAt: t0 + i * 1000,
  });
const relations: Relation[] = [];
for (let i = 5; i < CLAIMS; i++) {
  const to = claims[Math.max(0, i - 1 - Math.floor(rng.next() ** 2 * i))]!.id;
  relations.push({
    id: newId(() => rng.next()),
    from: claims[i]!.id,
    to,
    kind: rng.bool(0.6) ? 'supports' : 'attacks',
    group: '',
    author: claims[i]!.author,
    createdAt: claims[i]!.createdAt,
  });
}
while (relations.length < RELATIONS) {
  const a = rng.int(CLAIMS - 1);
  const b = a + 1 + rng.int(CLAIMS - a - 1);
  relations.push({
    id: newId(() => rng.next()),
    from: claims[b]!.id,
    to: claims[a]!.id,
    kind: rng.bool(0.6) ? 'supports' : 'attacks',
    group: '',
    author: 'user0',
    createdAt: t0,
  });
}

const doc = new Y.Doc();
// A fixed client id makes the bytes identical on every run (no live client uses it: ids are random uint32s).
doc.clientID = 424242;
writeGraph(doc, { claims, relations });
const violations = validateDoc(doc);
if (violations.length > 0) throw new Error(`generated debate is invalid: ${JSON.stringify(violations.slice(0, 3))}`);
const update = Y.encodeStateAsUpdate(doc);
await writeFile(out, update);
console.log(JSON.stringify({ file: out, bytes: update.byteLength, claims: CLAIMS, relations: relations.length }));
