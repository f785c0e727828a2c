import { CLAIM_KINDS, type Claim, type ClaimKind } from '../model/claim';
import type { Relation, RelationKind } from '../model/relation';
import { BundleBuilder, normalizeTag } from './builder';
import { IdAllocator, collapseWhitespace, slugify, splitLines } from './text';
import {
  FormatError,
  checkInputSize,
  emptyRecord,
  isWebUrl,
  ownValue,
  type DebateBundle,
  type ExportResult,
  type FormatWarning,
  type ImportOptions,
  type ImportResult,
  type Provenance,
} from './types';
import { YamlError, parseBlock, parseFlow, yamlString, type YamlValue } from './yaml';

/*
 * Argdown (https://argdown.org) import and export.
 *
 * Mapping, Argdown → Crux:
 *   - a statement (titled `[T]: text` or untitled) is a claim; its id is the slug of its title
 *     (or text), deduplicated. References `[T]` reuse it; a statement only ever referenced gets
 *     its title as text.
 *   - an argument without a premise–conclusion structure (`<A>: description`) is a claim too,
 *     since Crux has no separate argument nodes.
 *   - a reconstructed argument (`<A>` followed by `(1) … ---- (n) …`) becomes one relation per
 *     premise into the conclusion; two or more premises share a co-premise group (slug of the
 *     argument title). Each inferential step of a complex argument is its own group.
 *   - relations: `+ <+ +>` support, `- <- ->` attack, `_ <_ _>` undercut, `><` an attack each way.
 *     A relation on a reconstructed argument is attached to its main conclusion; an undercut of
 *     it targets the inference, i.e. the first relation of its (main or marked) step.
 *   - an attack from a reconstructed argument on its own conclusion marks a *linked attack*: the
 *     premises attack that statement together. This is how Crux writes attack groups, which
 *     Argdown otherwise cannot express without inventing a "not T" statement.
 *   - `#tags` and the heading a statement first appears under become tags; `{kind: thesis}` (or
 *     `question`) data sets the claim kind; `[label](https://…)` links become sources with
 *     `context` evidence. Links at the very end of a statement are citations and leave the text;
 *     links inside a sentence keep their label in the text.
 *   - front matter (`===` … `===`) gives title and description.
 *
 * The export writes that same subset, so export → import → export is byte-identical. It is
 * lossy where Argdown has no place: positions (re-laid out on import), authors, timestamps,
 * source metadata other than title and URL, evidence stance/quote, line breaks inside claim text,
 * and undercuts of undercuts (reported as export warnings).
 */

const FORMAT = 'argdown' as const;

// Backslash escapes are swapped for private-use characters up front, so no pattern below can
// mistake an escaped `[`, `#` or `{` for syntax; they are swapped back when text is finished.
const PUA_BASE = 0xe000;
const encodeEscapes = (s: string): string =>
  s.replace(/\\([!-/:-@[-`{-~])/g, (_m, c: string) => String.fromCharCode(PUA_BASE + c.charCodeAt(0)));
const decodeEscapes = (s: string): string => s.replace(/[\uE021-\uE07E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - PUA_BASE));

/**
 * Blanks out comments but keeps newlines, so line numbers in errors still match the input.
 * A `//` comment must start a line or follow whitespace: that keeps bare `https://` URLs.
 */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|<!--[\s\S]*?-->/g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[ \t])\/\/.*$/gm, '$1');
}

const indentWidth = (line: string): number => {
  let n = 0;
  for (const ch of line) {
    if (ch === ' ') n++;
    else if (ch === '\t') n += 4;
    else break;
  }
  return n;
};

type Ref =
  | { t: 'stmt'; key: string; inference?: { arg: string; step: number } }
  | { t: 'arg'; key: string }
  | { t: 'inf'; arg: string; step: number };

type EdgeType = 'support' | 'attack' | 'undercut' | 'contradiction';

interface RawEdge {
  from: Ref;
  to: Ref;
  type: EdgeType;
  line: number;
  seq: number;
  consumed?: boolean;
}

interface Link {
  title: string;
  url: string;
}

interface StatementInfo {
  key: string;
  title: string | null;
  text: string | null;
  tags: string[];
  kind: ClaimKind | null;
  links: Link[];
  line: number;
  heading: string | null;
  claimId?: string;
}

interface Step {
  premises: string[];
  conclusion: string;
  line: number;
  seq: number;
  kind: 'supports' | 'attacks';
  relIds: string[];
}

interface ArgumentInfo {
  key: string;
  title: string | null;
  descriptions: { text: string; line: number }[];
  tags: string[];
  links: Link[];
  line: number;
  heading: string | null;
  steps: Step[] | null;
  claimId?: string;
}

type PcsItem = { kind: 'stmt'; key: string; line: number } | { kind: 'inf'; line: number };

interface Pending {
  kind: 'root' | 'rel' | 'pcs';
  indent: number;
  line: number;
  lines: string[];
  symbol?: string;
  parent?: Ref;
  number?: number;
}

interface InlineParse {
  text: string;
  tags: string[];
  links: Link[];
}

function stripEmphasis(s: string): string {
  const close = '(?=$|[\\s.,;:!?)\\-*_])';
  return s
    .replace(new RegExp(`(^|[\\s(])(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\2${close}`, 'g'), '$1$3')
    .replace(new RegExp(`(^|[\\s(])(\\*|_)(?=\\S)(.+?)(?<=\\S)\\2${close}`, 'g'), '$1$3');
}

const TAG_RE = /(^|\s)#(?:\(([^)]*)\)|([\p{L}\p{N}_-]+))/gu;
const LINK_RE = /\[([^\]]*)\]\(([^)\s]*)\)/g;
const TRAILING_LINK_RE = /\[([^\]]*)\]\(([^)\s]*)\)\s*$/;

/** Splits statement text (still escape-encoded) into clean text, tags and source links. */
function parseInline(raw: string): InlineParse {
  const tags: string[] = [];
  let s = raw.replace(TAG_RE, (_m, pre: string, bracketed: string | undefined, plain: string | undefined) => {
    tags.push(decodeEscapes(bracketed ?? plain ?? ''));
    return pre;
  });
  // Citations at the end of the statement are not part of its sentence.
  const trailing: Link[] = [];
  for (;;) {
    const trimmed = s.trimEnd();
    const m = TRAILING_LINK_RE.exec(trimmed);
    if (!m) break;
    const url = decodeEscapes(m[2]!);
    if (!isWebUrl(url)) break;
    trailing.unshift({ title: collapseWhitespace(decodeEscapes(m[1]!)), url });
    s = trimmed.slice(0, m.index);
  }
  const links: Link[] = [];
  s = s.replace(LINK_RE, (_m, label: string, href: string) => {
    const url = decodeEscapes(href);
    if (isWebUrl(url)) links.push({ title: collapseWhitespace(decodeEscapes(label)), url });
    return label;
  });
  s = s.replace(/@\[([^\]]*)\]|@<([^>]*)>/g, (_m, a: string | undefined, b: string | undefined) => a ?? b ?? '');
  s = stripEmphasis(s);
  return { text: collapseWhitespace(decodeEscapes(s)), tags, links: [...links, ...trailing] };
}

/** Splits a trailing `{…}` YAML data element off an element's text. */
function splitData(text: string): { rest: string; data: string | null } {
  const t = text.trimEnd();
  if (!t.endsWith('}')) return { rest: text, data: null };
  let depth = 0;
  for (let i = t.length - 1; i >= 0; i--) {
    const ch = t[i];
    if (ch === '}') depth++;
    else if (ch === '{') {
      depth--;
      if (depth === 0) return { rest: t.slice(0, i), data: t.slice(i) };
    }
  }
  return { rest: text, data: null };
}

function parseData(data: string): Record<string, YamlValue> {
  const inner = data.slice(1, -1);
  if (/^[ \t]*\n/.test(inner)) return parseBlock(inner.split('\n'));
  const v = parseFlow(data);
  return typeof v === 'object' && !Array.isArray(v) ? v : {};
}

class ArgdownReader {
  private readonly b: BundleBuilder;
  private readonly statements = new Map<string, StatementInfo>();
  private readonly args = new Map<string, ArgumentInfo>();
  /** First mentions, in document order: claims are created in this order. */
  private readonly order: { t: 'stmt' | 'arg'; key: string }[] = [];
  private readonly edges: RawEdge[] = [];
  private seq = 0;
  private anon = 0;

  private heading: string | null = null;
  private pending: Pending | null = null;
  private stack: { indent: number; ref: Ref }[] = [];
  private blockOpen = false;
  private blockRoot: Ref | null = null;
  private prevBlockRootArg: string | null = null;
  private pcs: { arg: string; items: PcsItem[]; line: number; lastNumber: number; ignore: boolean } | null = null;
  private inference: { line: number; indent: number; content: string[] } | null = null;

  title = '';
  description = '';

  private readonly maxInputBytes: number | undefined;

  constructor(options: ImportOptions) {
    this.b = new BundleBuilder(FORMAT, options);
    this.maxInputBytes = options.maxInputBytes;
  }

  private fail(reason: string, line: number): never {
    throw new FormatError(FORMAT, reason, { line });
  }

  private warn(message: string, line?: number): void {
    this.b.warn(message, line === undefined ? {} : { line });
  }

  read(input: string): ImportResult {
    checkInputSize(FORMAT, input, this.maxInputBytes);
    const lines = splitLines(input);
    let start = 0;
    while (start < lines.length && lines[start]!.trim() === '') start++;
    const first = lines[start]?.trim() ?? '';
    // Argdown front matter is fenced by `===`; `---` is accepted since Markdown habits die hard.
    if (/^(===+|---)$/.test(first)) {
      const fence = first.startsWith('=') ? /^===+$/ : /^---$/;
      let end = start + 1;
      while (end < lines.length && !fence.test(lines[end]!.trim())) end++;
      if (end >= lines.length) this.fail('front matter is not closed', start + 1);
      this.readFrontMatter(lines.slice(start + 1, end), start + 2);
      start = end + 1;
    }
    const body = stripComments(encodeEscapes(lines.slice(start).join('\n'))).split('\n');
    body.forEach((line, i) => this.readLine(line, start + i + 1));
    this.finishPending();
    if (this.inference) this.fail('inference is not closed with "--"', this.inference.line);
    this.endBlock();
    return this.resolve();
  }

  private readFrontMatter(lines: string[], firstLine: number): void {
    let data: Record<string, YamlValue>;
    try {
      data = parseBlock(lines);
    } catch (e) {
      if (e instanceof YamlError) this.fail(`front matter: ${e.message}`, firstLine + e.lineIndex);
      throw e;
    }
    const str = (v: YamlValue | undefined): string => (typeof v === 'string' ? v : '');
    this.title = str(data.title);
    this.description = str(data.description) || str(data.subTitle) || str(data.subtitle);
  }

  private readLine(raw: string, line: number): void {
    const trimmed = raw.trim();
    const indent = indentWidth(raw);

    if (this.inference) {
      const close = /-{2,}$/.exec(trimmed);
      if (close) {
        this.inference.content.push(trimmed.slice(0, close.index));
        this.addInference(this.inference.line, this.inference.indent);
        this.inference = null;
      } else this.inference.content.push(trimmed);
      return;
    }
    if (trimmed === '') {
      this.finishPending();
      this.endBlock();
      return;
    }
    if (indent === 0 && /^#{1,6}\s/.test(trimmed)) {
      this.finishPending();
      this.endBlock();
      this.prevBlockRootArg = null;
      const { rest } = splitData(trimmed.replace(/^#+\s+/, ''));
      const parsed = parseInline(rest);
      this.heading = parsed.text === '' ? null : parsed.text;
      return;
    }
    const pcsMatch = /^\((\d+)\)(?:\s+(.*))?$/.exec(trimmed);
    if (pcsMatch) {
      this.finishPending();
      if (!this.pcs) this.startPcs(line);
      const number = Number(pcsMatch[1]);
      if (this.pcs && number !== this.pcs.lastNumber + 1)
        this.warn(`premise number (${number}) should be (${this.pcs.lastNumber + 1})`, line);
      if (this.pcs) this.pcs.lastNumber = number;
      this.stack = [];
      this.pending = { kind: 'pcs', indent, line, lines: [pcsMatch[2] ?? ''], number };
      return;
    }
    if (/^-{2,}/.test(trimmed)) {
      if (!this.pcs) this.fail('inference line "--" outside a premise-conclusion structure', line);
      this.finishPending();
      this.stack = [];
      const rest = trimmed.replace(/^-{2,}/, '');
      if (rest === '' && trimmed.length >= 4) this.addInference(line, indent);
      else if (rest.trim() !== '' && /-{2,}$/.test(rest)) this.addInference(line, indent);
      else this.inference = { line, indent, content: rest.trim() === '' ? [] : [rest] };
      return;
    }
    const rel = /^(<\+|<-|<_|\+>|->|_>|><|\+|-|_)(?:\s+(.*))?$/.exec(trimmed);
    if (rel) {
      this.finishPending();
      while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.indent >= indent) this.stack.pop();
      const parent = this.stack[this.stack.length - 1];
      if (!parent || !this.blockOpen) this.fail(`relation "${rel[1]}" has no parent: indent it below a statement or argument`, line);
      if ((rel[2] ?? '').trim() === '') this.fail(`relation "${rel[1]}" has no statement or argument after it`, line);
      this.pending = { kind: 'rel', indent, line, lines: [rel[2]!], symbol: rel[1]!, parent: parent.ref };
      return;
    }
    const listItem = /^(?:\*|\d+\.)\s+(.*)$/.exec(trimmed);
    if (listItem && !this.pcs) {
      // Each list item is its own statement.
      this.finishPending();
      this.endBlock();
      this.startRoot(indent, line, listItem[1]!);
      return;
    }
    if (this.pending) {
      this.pending.lines.push(trimmed);
      return;
    }
    if (this.pcs) this.fail('expected a numbered statement "(n)" after the inference line', line);
    this.startRoot(indent, line, trimmed);
  }

  private startRoot(indent: number, line: number, text: string): void {
    this.blockOpen = true;
    this.blockRoot = null;
    this.pending = { kind: 'root', indent, line, lines: [text] };
  }

  private startPcs(line: number): void {
    let arg: string | null = null;
    if (this.blockOpen) {
      // Lenient: `<A>` directly followed by `(1)` without the blank line Argdown asks for.
      if (this.blockRoot?.t === 'arg') arg = this.blockRoot.key;
      this.endBlockKeepArg();
    } else arg = this.prevBlockRootArg;
    if (arg === null) {
      arg = `\u0000anon-arg-${++this.anon}`;
      this.noteArgument(arg, null, line);
    }
    const info = this.args.get(arg)!;
    const ignore = info.steps !== null;
    if (ignore) this.warn(`argument <${info.title ?? 'untitled'}> already has a premise-conclusion structure; this one is ignored`, line);
    this.blockOpen = true;
    this.pcs = { arg, items: [], line, lastNumber: 0, ignore };
  }

  private endBlockKeepArg(): void {
    this.blockOpen = false;
    this.stack = [];
  }

  private endBlock(): void {
    if (this.pcs) {
      this.finishPcs();
      this.prevBlockRootArg = null;
    } else if (this.blockOpen) this.prevBlockRootArg = this.blockRoot?.t === 'arg' ? this.blockRoot.key : null;
    this.pcs = null;
    this.blockOpen = false;
    this.blockRoot = null;
    this.stack = [];
  }

  private finishPending(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const raw = p.lines.join('\n');
    if (p.kind === 'root') {
      const ref = this.element(raw, p.line);
      this.blockRoot = ref;
      this.stack = [{ indent: p.indent, ref }];
    } else if (p.kind === 'rel') {
      const ref = this.element(raw, p.line);
      this.addEdge(p.symbol!, p.parent!, ref, p.line);
      this.stack.push({ indent: p.indent, ref });
    } else {
      const pcs = this.pcs!;
      const ref = this.element(raw, p.line);
      if (ref.t !== 'stmt') this.fail('a premise or conclusion must be a statement, not an argument', p.line);
      const last = pcs.items[pcs.items.length - 1];
      const stepsSoFar = pcs.items.filter((it) => it.kind === 'inf').length;
      pcs.items.push({ kind: 'stmt', key: ref.key, line: p.line });
      // Undercuts written below a conclusion attack the inference leading to it.
      const parentRef: Ref = last?.kind === 'inf' ? { ...ref, inference: { arg: pcs.arg, step: stepsSoFar - 1 } } : ref;
      this.stack = [{ indent: p.indent, ref: parentRef }];
    }
  }

  private addInference(line: number, indent: number): void {
    const pcs = this.pcs!;
    const steps = pcs.items.filter((it) => it.kind === 'inf').length;
    pcs.items.push({ kind: 'inf', line });
    this.stack = [{ indent, ref: { t: 'inf', arg: pcs.arg, step: steps } }];
  }

  private finishPcs(): void {
    const pcs = this.pcs!;
    const steps: Step[] = [];
    let premises: string[] = [];
    let expectConclusion = false;
    let lastInference = pcs.line;
    for (const item of pcs.items) {
      if (item.kind === 'inf') {
        if (expectConclusion) this.fail('two inference lines in a row', item.line);
        if (premises.length === 0) this.fail('inference line without premises above it', item.line);
        expectConclusion = true;
        lastInference = item.line;
      } else if (expectConclusion) {
        steps.push({ premises, conclusion: item.key, line: item.line, seq: this.seq++, kind: 'supports', relIds: [] });
        premises = [item.key];
        expectConclusion = false;
      } else premises.push(item.key);
    }
    if (expectConclusion) this.fail('inference line without a conclusion below it', lastInference);
    if (steps.length === 0) this.fail('premise-conclusion structure has no inference line ("----")', pcs.line);
    if (premises.length > 1) this.warn('statements after the last conclusion are ignored', pcs.line);
    if (!pcs.ignore) this.args.get(pcs.arg)!.steps = steps;
  }

  private addEdge(symbol: string, parent: Ref, child: Ref, line: number): void {
    const push = (from: Ref, to: Ref, type: EdgeType): void => {
      this.edges.push({ from, to, type, line, seq: this.seq++ });
    };
    const plain = (r: Ref): Ref => (r.t === 'stmt' && r.inference ? { t: 'stmt', key: r.key } : r);
    switch (symbol) {
      case '+':
      case '<+':
        return push(child, plain(parent), 'support');
      case '+>':
        return push(plain(parent), child, 'support');
      case '-':
      case '<-':
        return push(child, plain(parent), 'attack');
      case '->':
        return push(plain(parent), child, 'attack');
      case '_':
      case '<_': {
        const target: Ref = parent.t === 'stmt' && parent.inference ? { t: 'inf', ...parent.inference } : parent;
        return push(child, target, 'undercut');
      }
      case '_>':
        return push(plain(parent), child, 'undercut');
      default:
        return push(child, plain(parent), 'contradiction');
    }
  }

  /** Parses one statement or argument (definition, reference or untitled text) and records it. */
  private element(raw: string, line: number): Ref {
    const { rest, data: dataText } = splitData(raw);
    let data: Record<string, YamlValue> = {};
    if (dataText !== null) {
      try {
        data = parseData(dataText);
      } catch (e) {
        if (!(e instanceof YamlError)) throw e;
        this.warn(`data ignored: ${e.message}`, line);
      }
    }
    const t = rest.trim();
    const bracket = t[0] === '[' ? ']' : t[0] === '<' ? '>' : null;
    if (bracket !== null) {
      const close = t.indexOf(bracket);
      if (close < 0) this.fail(`title "${t.slice(0, 30)}" is missing its closing "${bracket}"`, line);
      if (!(bracket === ']' && t[close + 1] === '(')) {
        const title = collapseWhitespace(t.slice(1, close));
        if (title === '') this.fail('empty title', line);
        const after = t.slice(close + 1);
        const isDefinition = after.startsWith(':');
        const body = isDefinition ? after.slice(1) : after;
        if (bracket === ']') return this.noteStatement(title, body, isDefinition, data, line);
        return this.noteArgument(title, title, line, body, isDefinition);
      }
    }
    return this.noteStatement(null, t, true, data, line);
  }

  private noteStatement(title: string | null, body: string, isDefinition: boolean, data: Record<string, YamlValue>, line: number): Ref {
    const key = title ?? `\u0000anon-${++this.anon}`;
    let info = this.statements.get(key);
    if (!info) {
      info = {
        key,
        title: title === null ? null : decodeEscapes(title),
        text: null,
        tags: [],
        kind: null,
        links: [],
        line,
        heading: this.heading,
      };
      this.statements.set(key, info);
      this.order.push({ t: 'stmt', key });
    }
    const parsed = parseInline(body);
    info.tags.push(...parsed.tags);
    if (isDefinition) {
      if (info.text === null) {
        info.text = parsed.text;
        info.links.push(...parsed.links);
      } else if (parsed.text !== info.text && parsed.text !== '')
        this.warn(`[${info.title}] is defined more than once; the first text is kept`, line);
    } else if (parsed.text !== '') this.warn(`text after the reference [${info.title}] is ignored`, line);
    const kind = data.kind;
    if (typeof kind === 'string') {
      if ((CLAIM_KINDS as readonly string[]).includes(kind)) info.kind = kind as ClaimKind;
      else this.warn(`unknown kind "${kind}" ignored`, line);
    }
    return { t: 'stmt', key };
  }

  private noteArgument(key: string, title: string | null, line: number, body = '', isDefinition = false): Ref {
    let info = this.args.get(key);
    if (!info) {
      info = {
        key,
        title: title === null ? null : decodeEscapes(title),
        descriptions: [],
        tags: [],
        links: [],
        line,
        heading: this.heading,
        steps: null,
      };
      this.args.set(key, info);
      this.order.push({ t: 'arg', key });
    }
    const parsed = parseInline(body);
    info.tags.push(...parsed.tags);
    if (isDefinition && parsed.text !== '') {
      info.descriptions.push({ text: parsed.text, line });
      info.links.push(...parsed.links);
    }
    return { t: 'arg', key };
  }

  private resolve(): ImportResult {
    const b = this.b;
    const provenance: Provenance = { origin: 'argdown', claims: emptyRecord(), relations: emptyRecord(), dialogue: [] };
    const reconstructed = (key: string): Step[] | null => {
      const steps = this.args.get(key)?.steps;
      return steps && steps.length > 0 ? steps : null;
    };
    const mainStep = (key: string): Step | null => reconstructed(key)?.at(-1) ?? null;

    const claimOwners: { claimId: string; links: Link[] }[] = [];
    for (const m of this.order) {
      if (m.t === 'stmt') {
        const s = this.statements.get(m.key)!;
        const text = s.text ?? s.title ?? '';
        const tags = s.heading !== null ? [...s.tags, s.heading] : s.tags;
        const claim = b.addClaim({
          id: b.claimId(s.title ?? text),
          text,
          kind: s.kind ?? 'claim',
          tags,
          where: { line: s.line },
        });
        s.claimId = claim.id;
        if (s.title !== null) provenance.claims[claim.id] = { externalId: s.title };
        claimOwners.push({ claimId: claim.id, links: s.links });
      } else {
        const a = this.args.get(m.key)!;
        if (reconstructed(m.key)) {
          if (a.descriptions.length > 0)
            this.warn(
              `the description of reconstructed argument <${a.title}> is not kept: Crux has no argument nodes`,
              a.descriptions[0]!.line,
            );
          continue;
        }
        const text = a.descriptions[0]?.text ?? a.title ?? '';
        const tags = a.heading !== null ? [...a.tags, a.heading] : a.tags;
        const claim = b.addClaim({ id: b.claimId(a.title ?? text), text, tags, where: { line: a.line } });
        a.claimId = claim.id;
        if (a.title !== null) provenance.claims[claim.id] = { externalId: a.title };
        claimOwners.push({ claimId: claim.id, links: a.links });
      }
    }

    const stmtClaim = (key: string): string => this.statements.get(key)!.claimId!;
    /** The claim standing for a relation end: a statement, an unreconstructed argument, or a conclusion. */
    const claimOf = (ref: Ref, role: 'from' | 'to', line: number): string | null => {
      if (ref.t === 'stmt') return stmtClaim(ref.key);
      if (ref.t === 'inf') {
        this.warn('only undercuts can target an inference; relation ignored', line);
        return null;
      }
      const a = this.args.get(ref.key)!;
      const step = mainStep(ref.key);
      if (!step) return a.claimId!;
      if (role === 'to') this.warn(`relation to reconstructed argument <${a.title ?? 'untitled'}> is attached to its conclusion`, line);
      return stmtClaim(step.conclusion);
    };

    // An argument attacking its own conclusion is Crux's linked attack; supporting it says nothing new.
    for (const e of this.edges) {
      if (e.from.t !== 'arg' || e.to.t !== 'stmt' || (e.type !== 'attack' && e.type !== 'support')) continue;
      const step = mainStep(e.from.key);
      if (!step || step.conclusion !== e.to.key) continue;
      if (e.type === 'attack') step.kind = 'attacks';
      e.consumed = true;
    }

    const groupIds = new IdAllocator('argument');
    type Event = { seq: number; line: number; step?: Step; arg?: ArgumentInfo; edge?: RawEdge };
    const events: Event[] = [];
    for (const a of this.args.values())
      for (const step of reconstructed(a.key) ?? []) events.push({ seq: step.seq, line: step.line, step, arg: a });
    for (const e of this.edges) if (!e.consumed && e.type !== 'undercut') events.push({ seq: e.seq, line: e.line, edge: e });
    events.sort((x, y) => x.line - y.line || x.seq - y.seq);

    const relate = (from: string, to: string, kind: RelationKind, line: number, group = ''): Relation | null => {
      if (from === to) {
        this.warn('a claim cannot argue about itself; relation ignored', line);
        return null;
      }
      return b.addRelation({ from, to, kind, group, where: { line } });
    };

    for (const ev of events) {
      if (ev.step && ev.arg) {
        const { step, arg } = ev;
        const steps = arg.steps!;
        let group = '';
        if (step.premises.length > 1) {
          const base = slugify(arg.title ?? 'argument') || 'argument';
          group = groupIds.take(step === steps.at(-1) ? base : `${base}-step-${steps.indexOf(step) + 1}`);
        }
        const conclusion = stmtClaim(step.conclusion);
        for (const p of step.premises) {
          const rel = relate(stmtClaim(p), conclusion, step.kind, step.line, group);
          if (!rel) continue;
          step.relIds.push(rel.id);
          if (arg.title !== null) provenance.relations[rel.id] = { externalId: arg.title, scheme: '', rephrase: false };
        }
        continue;
      }
      const e = ev.edge!;
      const from = claimOf(e.from, 'from', e.line);
      const to = claimOf(e.to, 'to', e.line);
      if (from === null || to === null) continue;
      if (e.type === 'contradiction') {
        relate(from, to, 'attacks', e.line);
        relate(to, from, 'attacks', e.line);
      } else relate(from, to, e.type === 'support' ? 'supports' : 'attacks', e.line);
    }

    // Undercuts last: their targets are relations, which now all exist.
    const firstOutgoing = new Map<string, string>();
    for (const r of b.relations) if (r.kind !== 'undercuts' && !firstOutgoing.has(r.from)) firstOutgoing.set(r.from, r.id);
    for (const e of this.edges) {
      if (e.type !== 'undercut') continue;
      const from = claimOf(e.from, 'from', e.line);
      if (from === null) continue;
      let target: string | undefined;
      if (e.to.t === 'inf') target = this.args.get(e.to.arg)?.steps?.[e.to.step]?.relIds[0];
      else if (e.to.t === 'arg') {
        const step = mainStep(e.to.key);
        target = step ? step.relIds[0] : firstOutgoing.get(this.args.get(e.to.key)!.claimId!);
      } else {
        this.warn('an undercut must target an argument; read as an attack on the statement', e.line);
        relate(from, stmtClaim(e.to.key), 'attacks', e.line);
        continue;
      }
      if (target === undefined) {
        this.warn('the undercut argument has no inference to attack; undercut ignored', e.line);
        continue;
      }
      b.addRelation({ from, to: target, kind: 'undercuts', where: { line: e.line } });
    }

    for (const { claimId, links } of claimOwners) for (const l of links) b.addSourceLink(claimId, l.title, l.url, 'context');

    const bundle = b.build({ title: this.title, description: this.description, provenance });
    return { bundle, warnings: b.warnings };
  }
}

/** Parses an Argdown document. Throws FormatError (with a line) when the document is unusable. */
export function importArgdown(input: string, options: ImportOptions = {}): ImportResult {
  return new ArgdownReader(options).read(input);
}

// ---------------------------------------------------------------------------------------------
// Export

const INDENT = '    ';

/** Backslash-escapes everything Argdown would read as syntax inside statement text. */
function escapeText(s: string): string {
  return s.replace(/[\\[\]<>{}#*_@]/g, '\\$&').replace(/\/(?=[/*])/g, '\\/');
}

/** Titles cannot be escaped in Argdown, so characters that would end or break them are dropped. */
function sanitizeTitle(s: string): string {
  return collapseWhitespace(
    s
      .replace(/[[\]<>{}\\\uE000-\uE07F]/g, ' ')
      .replace(/\/(?=[/*])/g, '')
      .replace(/\*(?=\/)/g, ''),
  );
}

/** A short title from the claim text: up to six words, at most 50 characters, no end punctuation. */
function titleFromText(text: string): string {
  const words = sanitizeTitle(text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')).split(' ');
  let title = '';
  for (const w of words.slice(0, 6)) {
    const next = title === '' ? w : `${title} ${w}`;
    if (next.length > 50) break;
    title = next;
  }
  if (title === '') title = (words[0] ?? '').slice(0, 50);
  return title.replace(/[.,;:!?'"\s-]+$/, '') || 'Claim';
}

function sanitizeTag(tag: string): string {
  return normalizeTag(tag.replace(/[()\\<>\uE000-\uE07F]/g, ' ').replace(/\/(?=[/*])/g, ''));
}

function formatTag(tag: string): string {
  return /^[\p{L}\p{N}_-]+$/u.test(tag) ? `#${tag}` : `#(${tag})`;
}

function encodeUrl(url: string): string {
  return url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\\/g, '%5C');
}

interface ArgUnit {
  members: Relation[];
  target: string;
  kind: RelationKind;
  undercuts: Relation[];
  title?: string;
}

/**
 * Writes the bundle as Argdown: a front matter, then one relation tree per root claim (theses
 * first), then one section per argument — co-premise groups and relations that are undercut,
 * each as a premise–conclusion structure with its undercuts listed under the argument.
 */
export function exportArgdown(bundle: DebateBundle): ExportResult {
  const warnings: FormatWarning[] = [];
  const { claims } = bundle.graph;
  const claimById = new Map(claims.map((c) => [c.id, c]));
  const fromArgdown = bundle.provenance?.origin === 'argdown' ? bundle.provenance : undefined;

  // Only relations Argdown can express are written; roots are computed from the same set, so a
  // second export sees exactly the structure the first one wrote.
  const valid: Relation[] = [];
  const seen = new Set<string>();
  for (const r of bundle.graph.relations) {
    if (r.kind === 'undercuts') continue;
    if (!claimById.has(r.from) || !claimById.has(r.to) || r.from === r.to) {
      warnings.push({ message: `relation ${r.id} is not between two distinct claims; omitted` });
      continue;
    }
    const key = `${r.from}\u0000${r.to}\u0000${r.kind}\u0000${r.group}`;
    if (!seen.has(key)) valid.push(r);
    seen.add(key);
  }
  // A group needs two premises to be an argument; a lone member is an ordinary relation.
  const groups = new Map<string, Relation[]>();
  for (const r of valid) {
    if (r.group === '') continue;
    const key = `${r.to}\u0000${r.kind}\u0000${r.group}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const effectiveGroup = (r: Relation): string =>
    r.group !== '' && groups.get(`${r.to}\u0000${r.kind}\u0000${r.group}`)!.length >= 2 ? r.group : '';
  // Import merges relations that only differ by a lone group, so the export merges them first.
  const canonical = new Map<string, Relation>();
  const byKey = new Map<string, Relation>();
  const plainRels: Relation[] = [];
  for (const r of bundle.graph.relations) {
    if (r.kind === 'undercuts' || !claimById.has(r.from) || !claimById.has(r.to) || r.from === r.to) continue;
    const key = `${r.from}\u0000${r.to}\u0000${r.kind}\u0000${effectiveGroup(r)}`;
    const first = byKey.get(key);
    if (first) {
      canonical.set(r.id, first);
      continue;
    }
    byKey.set(key, r);
    canonical.set(r.id, r);
    plainRels.push(r);
  }

  const unitOf = new Map<string, ArgUnit>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const unit: ArgUnit = { members, target: members[0]!.to, kind: members[0]!.kind, undercuts: [] };
    for (const m of members) unitOf.set(m.id, unit);
  }
  const undercutSeen = new Set<string>();
  const hasOutgoing = new Set<string>();
  for (const r of plainRels) hasOutgoing.add(r.from);
  for (const r of bundle.graph.relations) {
    if (r.kind !== 'undercuts') continue;
    const target = canonical.get(r.to);
    if (!claimById.has(r.from) || !target) {
      const nested = bundle.graph.relations.some((t) => t.id === r.to && t.kind === 'undercuts');
      warnings.push({
        message: nested
          ? `undercut ${r.id} targets another undercut, which Argdown cannot express; omitted`
          : `undercut ${r.id} has no valid target; omitted`,
      });
      continue;
    }
    let unit = unitOf.get(target.id);
    if (!unit) {
      unit = { members: [target], target: target.to, kind: target.kind, undercuts: [] };
      unitOf.set(target.id, unit);
    }
    // Argdown undercuts a whole argument, so two undercuts by one claim on one group are one.
    const key = `${r.from}\u0000${unit.members[0]!.id}`;
    if (undercutSeen.has(key)) continue;
    undercutSeen.add(key);
    unit.undercuts.push(r);
    hasOutgoing.add(r.from);
  }

  const incoming = new Map<string, Relation[]>();
  for (const r of plainRels) {
    const list = incoming.get(r.to);
    if (list) list.push(r);
    else incoming.set(r.to, [r]);
  }

  const titles = new Map<string, string>();
  const usedTitles = new Set<string>();
  const unique = (base: string, used: Set<string>): string => {
    let t = base;
    for (let n = 2; used.has(t); n++) t = `${base} ${n}`;
    used.add(t);
    return t;
  };
  const titleOf = (c: Claim): string => {
    let t = titles.get(c.id);
    if (t === undefined) {
      const fromProv = ownValue(fromArgdown?.claims, c.id)?.externalId;
      const base = (fromProv !== undefined ? sanitizeTitle(fromProv) : '') || titleFromText(c.text);
      t = unique(base, usedTitles);
      titles.set(c.id, t);
    }
    return t;
  };
  const usedArgTitles = new Set<string>();
  const argTitleOf = (u: ArgUnit): string => {
    if (u.title === undefined) {
      const fromProv = ownValue(fromArgdown?.relations, u.members[0]!.id)?.externalId;
      const base =
        (fromProv !== undefined ? sanitizeTitle(fromProv) : '') ||
        `${u.kind === 'supports' ? 'For' : 'Against'} ${titleOf(claimById.get(u.target)!)}`;
      u.title = unique(base, usedArgTitles);
    }
    return u.title;
  };

  const evidenceByClaim = new Map<string, string[]>();
  const sourceById = new Map(bundle.sources.map((s) => [s.id, s]));
  for (const ev of bundle.evidence) {
    const list = evidenceByClaim.get(ev.claimId);
    if (!list) evidenceByClaim.set(ev.claimId, [ev.sourceId]);
    else if (!list.includes(ev.sourceId)) list.push(ev.sourceId);
  }

  const out: string[] = [];
  const defined = new Set<string>();
  const expanded = new Set<string>();
  const queue: ArgUnit[] = [];
  const queued = new Set<ArgUnit>();

  const mention = (c: Claim): string => {
    if (defined.has(c.id)) return `[${titleOf(c)}]`;
    defined.add(c.id);
    let line = `[${titleOf(c)}]:`;
    const text = collapseWhitespace(c.text);
    if (text !== '') line += ` ${escapeText(text)}`;
    for (const sid of evidenceByClaim.get(c.id) ?? []) {
      const s = sourceById.get(sid);
      if (!s || s.url === null || !isWebUrl(s.url)) continue;
      const label = collapseWhitespace(s.title) || s.url;
      line += ` [${escapeText(label)}](${encodeUrl(s.url)})`;
    }
    const tags: string[] = [];
    for (const raw of c.tags) {
      const t = sanitizeTag(raw);
      if (t !== '' && !tags.includes(t)) tags.push(t);
    }
    for (const t of tags) line += ` ${formatTag(t)}`;
    if (c.kind !== 'claim') line += ` {kind: ${c.kind}}`;
    return line;
  };

  const symbol = (kind: RelationKind): string => (kind === 'supports' ? '+' : '-');

  const expand = (c: Claim, depth: number): void => {
    if (expanded.has(c.id)) return;
    expanded.add(c.id);
    const plain: Relation[] = [];
    const args: ArgUnit[] = [];
    for (const r of incoming.get(c.id) ?? []) {
      const u = unitOf.get(r.id);
      if (!u) plain.push(r);
      else if (!args.includes(u)) args.push(u);
    }
    // Plain relations first, then arguments: the order an import reproduces.
    for (const r of plain) tree(claimById.get(r.from)!, depth, `${symbol(r.kind)} `);
    for (const u of args) {
      out.push(`${INDENT.repeat(depth)}${symbol(u.kind)} <${argTitleOf(u)}>`);
      if (!queued.has(u)) {
        queued.add(u);
        queue.push(u);
      }
    }
  };

  const tree = (c: Claim, depth: number, prefix: string): void => {
    out.push(`${INDENT.repeat(depth)}${prefix}${mention(c)}`);
    expand(c, depth + 1);
  };

  const argumentSection = (u: ArgUnit): void => {
    out.push(`<${argTitleOf(u)}>`);
    for (const r of u.undercuts) tree(claimById.get(r.from)!, 1, '_ ');
    out.push('');
    u.members.forEach((r, i) => {
      const premise = claimById.get(r.from)!;
      out.push(`(${i + 1}) ${mention(premise)}`);
      expand(premise, 1);
    });
    out.push('----');
    out.push(`(${u.members.length + 1}) ${mention(claimById.get(u.target)!)}`);
    out.push('');
  };

  out.push(
    '===',
    `title: ${yamlString(collapseWhitespace(bundle.title))}`,
    `description: ${yamlString(bundle.description.trim())}`,
    '===',
    '',
  );
  const roots = claims.filter((c) => !hasOutgoing.has(c.id));
  const ordered = [...roots.filter((c) => c.kind === 'thesis'), ...roots.filter((c) => c.kind !== 'thesis')];
  for (const c of ordered) {
    tree(c, 0, '');
    out.push('');
  }
  const flush = (): void => {
    for (let u = queue.shift(); u !== undefined; u = queue.shift()) argumentSection(u);
  };
  flush();
  // Whatever is left sits on a cycle with no root; each gets a tree of its own.
  for (const c of claims) {
    if (expanded.has(c.id)) continue;
    tree(c, 0, '');
    out.push('');
    flush();
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return { text: `${out.join('\n')}\n`, warnings };
}
