import type { ClaimKind } from '../model/claim';
import { BundleBuilder } from './builder';
import { collapseWhitespace, splitLines } from './text';
import {
  FormatError,
  checkInputSize,
  emptyRecord,
  isWebUrl,
  type DebateBundle,
  type ExportResult,
  type FormatWarning,
  type ImportOptions,
  type ImportResult,
  type Provenance,
} from './types';

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

/**
 * Writes a debate as a Kialo discussion export, the form importKialo reads. The claim that
 * argues for nothing is `1.`; with several such claims they become answers under a question
 * named after the debate. Each claim is written once, where it is first reached; later places
 * say `-> See n.`. What Kialo cannot hold is reported: undercuts, linked premises (groups),
 * tags, and questions below the top.
 */
export function exportKialo(bundle: DebateBundle): ExportResult {
  const warnings: FormatWarning[] = [];
  const { claims, relations } = bundle.graph;
  const byId = new Map(claims.map((c) => [c.id, c]));
  const incoming = new Map<string, { from: string; kind: 'supports' | 'attacks' }[]>();
  const arguesFor = new Set<string>();
  let undercuts = 0;
  let grouped = 0;
  for (const r of relations) {
    if (r.kind === 'undercuts') {
      undercuts++;
      continue;
    }
    if (!byId.has(r.from) || !byId.has(r.to)) continue;
    if (r.group !== '') grouped++;
    arguesFor.add(r.from);
    const list = incoming.get(r.to) ?? [];
    list.push({ from: r.from, kind: r.kind });
    incoming.set(r.to, list);
  }
  if (undercuts > 0) warnings.push({ message: `${undercuts} undercuts have no Kialo equivalent and are left out` });
  if (grouped > 0) warnings.push({ message: `${grouped} relations of linked premises are written as separate pros and cons` });
  if (claims.some((c) => c.tags.length > 0)) warnings.push({ message: 'tags have no Kialo equivalent and are left out' });

  // Tops: claims that argue for nothing; then one claim per part of the map reachable from none
  // of them (a cycle), so every claim is written.
  const tops = claims.filter((c) => !arguesFor.has(c.id)).map((c) => c.id);
  const reached = new Set<string>();
  const reach = (start: string): void => {
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (reached.has(id)) continue;
      reached.add(id);
      for (const e of incoming.get(id) ?? []) stack.push(e.from);
    }
  };
  for (const t of tops) reach(t);
  for (const c of claims)
    if (!reached.has(c.id)) {
      tops.push(c.id);
      reach(c.id);
    }

  const evidenceOf = new Map<string, { label: string; url: string }[]>();
  const sourceById = new Map(bundle.sources.map((s) => [s.id, s]));
  for (const e of bundle.evidence) {
    const s = sourceById.get(e.sourceId);
    if (!s || s.url === null || !isWebUrl(s.url)) continue;
    const list = evidenceOf.get(e.claimId) ?? [];
    list.push({ label: collapseWhitespace(s.title || s.url).replace(/[[\]]/g, ''), url: s.url.replace(/\)/g, '%29') });
    evidenceOf.set(e.claimId, list);
  }
  /** The claim's text on one line, its links inline where the text names them (as Kialo writes them), else after it. */
  const textOf = (id: string): string => {
    let text = collapseWhitespace(byId.get(id)!.text) || '(empty)';
    for (const { label, url } of evidenceOf.get(id) ?? []) {
      const at = label === '' ? -1 : text.indexOf(label);
      const link = `[${label}](${url})`;
      text = at >= 0 ? `${text.slice(0, at)}${link}${text.slice(at + label.length)}` : `${text} ${link}`;
    }
    return text;
  };

  const lines: string[] = [`Discussion Title: ${collapseWhitespace(bundle.title)}`, ''];
  const numberOf = new Map<string, string>();
  let questionsBelow = 0;
  const write = (id: string, number: string, stance: 'Pro' | 'Con' | null, isRootQuestion: boolean): void => {
    numberOf.set(id, number);
    lines.push(`${number}. ${stance ? `${stance}: ` : ''}${textOf(id)}`);
    if (number !== '1' && byId.get(id)!.kind === 'question') questionsBelow++;
    let k = 0;
    for (const e of incoming.get(id) ?? []) {
      k++;
      const child = `${number}.${k}`;
      const seen = numberOf.get(e.from);
      // Under a question, theses are answers: no stance, as Kialo writes them.
      const childStance =
        isRootQuestion && e.kind === 'supports' && byId.get(e.from)!.kind === 'thesis' ? null : e.kind === 'supports' ? 'Pro' : 'Con';
      if (seen !== undefined) lines.push(`${child}. ${childStance ? `${childStance}: ` : ''}-> See ${seen}.`);
      else write(e.from, child, childStance, false);
    }
  };
  if (tops.length === 1) {
    const top = byId.get(tops[0]!)!;
    write(top.id, '1', null, top.kind === 'question');
  } else if (tops.length > 1) {
    warnings.push({ message: `${tops.length} claims argue for nothing; they are written as answers to a question named after the debate` });
    lines.push(`1. ${collapseWhitespace(bundle.title) || 'Discussion'}`);
    tops.forEach((t, i) => write(t, `1.${i + 1}`, null, false));
  }
  if (questionsBelow > 0) warnings.push({ message: `${questionsBelow} questions below the top are written as ordinary claims` });
  return { text: `${lines.join('\n')}\n`, warnings };
}
