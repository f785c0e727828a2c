import type { ClaimKind } from '../model/claim';
import { BundleBuilder } from './builder';
import { splitLines } from './text';
import { FormatError, checkInputSize, emptyRecord, isWebUrl, type ImportOptions, type ImportResult, type Provenance } from './types';

/*
 * Kialo's plain-text discussion export:
 *
 *   Discussion Title: Should remote work be the default?
 *
 *   1. Remote work should be the default for office jobs.
 *   1.1. Pro: Employees save the commute.
 *   1.1.1. Con: Some use the commute to unwind.
 *   1.2. Con: Mentoring juniors is harder.
 *   1.2.1. Pro: -> See 1.1.1.
 *
 * Mapping: each numbered entry is a claim (1. is the thesis); `Pro:` supports and `Con:` attacks
 * the parent entry. Lines that are not numbered continue the previous entry's text. `-> See n.`
 * reuses claim n: the relation goes from that claim to the parent and no claim is created.
 * Entries under the root without Pro/Con are answers to a question (Kialo's multi-thesis
 * discussions): the root becomes a question, they become theses supporting it. Markdown links
 * `[label](https://…)` become sources cited by the claim, with the label kept in the text.
 *
 * Numbering must be well formed: a parent before its children, no number twice, siblings in
 * increasing order; otherwise the import fails with the offending line.
 */

const FORMAT = 'kialo' as const;

const ENTRY = /^(\d+(?:\.\d+)*)\.\s+(.*)$/;
/** Looks like a numbered entry but is not one: the kind of typo a hand edit leaves behind. */
const MALFORMED = /^\d[\d.]*\s*(?:pro|con)\s*:/i;
const STANCE = /^(pro|con)\s*:\s*(.*)$/is;
const SEE = /^->\s*see\s+(\d+(?:\.\d+)*)\.?\s*$/i;
const LINK = /\[([^\]]*)\]\(([^)\s]+)\)/g;

interface Entry {
  number: string;
  parent: string | null;
  line: number;
  stance: 'pro' | 'con' | null;
  lines: string[];
  see: string | null;
  claimId?: string;
}

/** Parses a Kialo discussion export. Throws FormatError (with a line) for malformed numbering. */
export function importKialo(input: string, options: ImportOptions = {}): ImportResult {
  checkInputSize(FORMAT, input, options.maxInputBytes);
  const b = new BundleBuilder(FORMAT, options);
  const lines = splitLines(input);
  let title = '';
  const entries: Entry[] = [];
  const byNumber = new Map<string, Entry>();
  const lastChild = new Map<string, number>();
  let current: Entry | null = null;

  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    const header = /^discussion title:\s*(.*)$/i.exec(trimmed);
    if (header && entries.length === 0) {
      title = header[1]!;
      return;
    }
    const m = ENTRY.exec(trimmed);
    if (!m) {
      if (MALFORMED.test(trimmed))
        throw new FormatError(FORMAT, `malformed numbering "${trimmed.slice(0, 20)}": expected e.g. "1.2. Pro: …"`, { line });
      if (current) current.lines.push(raw.trimEnd());
      else if (trimmed !== '') b.warn('text before the first numbered claim is ignored', { line });
      return;
    }
    const number = m[1]!;
    const parts = number.split('.');
    const parent = parts.length > 1 ? parts.slice(0, -1).join('.') : null;
    if (entries.length === 0 && number !== '1')
      throw new FormatError(FORMAT, `the discussion must start with "1.", not "${number}."`, { line });
    const dup = byNumber.get(number);
    if (dup) throw new FormatError(FORMAT, `number ${number}. already used on line ${dup.line}`, { line });
    if (parent !== null && !byNumber.has(parent)) throw new FormatError(FORMAT, `${number}. has no parent ${parent}. above it`, { line });
    const siblingKey = parent ?? '';
    const index = Number(parts[parts.length - 1]);
    const prev = lastChild.get(siblingKey) ?? 0;
    if (index <= prev)
      throw new FormatError(FORMAT, `${number}. comes after ${parent === null ? '' : `${parent}.`}${prev}.; numbers must increase`, {
        line,
      });
    lastChild.set(siblingKey, index);

    let text = m[2]!;
    let stance: Entry['stance'] = null;
    const s = STANCE.exec(text);
    if (s) {
      stance = s[1]!.toLowerCase() as 'pro' | 'con';
      text = s[2]!;
    }
    const see = SEE.exec(text.trim());
    const entry: Entry = { number, parent, line, stance, lines: [text], see: see ? see[1]! : null };
    entries.push(entry);
    byNumber.set(number, entry);
    current = entry;
  });

  if (entries.length === 0)
    throw new FormatError(FORMAT, 'no numbered claims found (expected "1. …")', { line: Math.max(1, lines.length) });

  // A root whose children carry no stance is a question with theses as answers.
  const childrenWithoutStance = new Set<string>();
  for (const e of entries) if (e.parent !== null && e.stance === null && e.see === null) childrenWithoutStance.add(e.parent);

  const provenance: Provenance = { origin: 'kialo', claims: emptyRecord(), relations: emptyRecord(), dialogue: [] };
  const links = new Map<string, { title: string; url: string }[]>();
  for (const e of entries) {
    if (e.see !== null) {
      if (e.lines.slice(1).some((l) => l.trim() !== '')) b.warn(`text after "-> See ${e.see}." is ignored`, { line: e.line });
      continue;
    }
    if (e.parent === null && e.stance !== null) b.warn('the thesis has no Pro/Con stance; ignored', { line: e.line });
    const found: { title: string; url: string }[] = [];
    const text = e.lines
      .join('\n')
      .replace(LINK, (all, label: string, url: string) => {
        if (!isWebUrl(url)) return all;
        found.push({ title: label, url });
        return label;
      })
      .trim();
    let kind: ClaimKind = 'claim';
    if (e.parent === null) kind = childrenWithoutStance.has(e.number) ? 'question' : 'thesis';
    else if (e.stance === null && byNumber.get(e.parent)?.parent === null) kind = 'thesis';
    const claim = b.addClaim({ id: b.claimId(text), text, kind, where: { line: e.line } });
    e.claimId = claim.id;
    provenance.claims[claim.id] = { externalId: e.number };
    if (found.length > 0) links.set(claim.id, found);
  }

  /** The claim an entry stands for, following `-> See` links. */
  const resolve = (number: string): string | null => {
    const seen = new Set<string>();
    let e = byNumber.get(number);
    while (e && e.see !== null) {
      if (seen.has(e.number)) return null;
      seen.add(e.number);
      e = byNumber.get(e.see);
    }
    return e?.claimId ?? null;
  };

  for (const e of entries) {
    if (e.parent === null) continue;
    const from = resolve(e.number);
    const to = resolve(e.parent);
    if (from === null) {
      b.warn(`"-> See ${e.see}." points at no claim; link ignored`, { line: e.line });
      continue;
    }
    if (to === null) {
      b.warn(`the parent ${e.parent}. of ${e.number}. is an unresolved link; relation ignored`, { line: e.line });
      continue;
    }
    if (from === to) {
      b.warn(`${e.number}. links to its own parent; relation ignored`, { line: e.line });
      continue;
    }
    if (e.stance === null && !(kindOfParentIsQuestion(e) && e.see === null))
      b.warn(`${e.number}. has no Pro/Con stance; imported as support`, { line: e.line });
    b.addRelation({ from, to, kind: e.stance === 'con' ? 'attacks' : 'supports', where: { line: e.line } });
  }

  function kindOfParentIsQuestion(e: Entry): boolean {
    return e.parent !== null && byNumber.get(e.parent)?.parent === null && childrenWithoutStance.has(e.parent);
  }

  for (const [claimId, found] of links) for (const l of found) b.addSourceLink(claimId, l.title, l.url, 'supports');

  const bundle = b.build({ title, description: '', provenance });
  return { bundle, warnings: b.warnings };
}
