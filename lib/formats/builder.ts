import { MAX_CLAIM_TEXT, MAX_TAGS, MAX_TAG_LENGTH, type Claim, type ClaimKind } from '../model/claim';
import type { Relation, RelationKind } from '../model/relation';
import { layeredLayout } from './layout';
import { IdAllocator, collapseWhitespace, slugify } from './text';
import {
  MAX_DESCRIPTION,
  MAX_IMPORT_CLAIMS,
  MAX_TITLE,
  isWebUrl,
  tooManyClaims,
  type DebateBundle,
  type Evidence,
  type EvidenceStance,
  type FormatName,
  type FormatWarning,
  type ImportOptions,
  type Provenance,
  type Source,
} from './types';

export interface Where {
  line?: number;
  path?: string;
}

/** Trims, collapses whitespace and clamps a tag; the one definition of a well-formed tag. */
export function normalizeTag(tag: string): string {
  return collapseWhitespace(tag).slice(0, MAX_TAG_LENGTH).trim();
}

/**
 * Accumulates one imported debate. Every importer goes through it so limits, clamping and id
 * rules are applied the same way, and every clamp leaves a warning behind.
 */
export class BundleBuilder {
  readonly claims: Claim[] = [];
  readonly relations: Relation[] = [];
  readonly sources: Source[] = [];
  readonly evidence: Evidence[] = [];
  readonly warnings: FormatWarning[] = [];
  private readonly claimIds = new IdAllocator('claim');
  private readonly relationIds = new IdAllocator('r');
  private readonly sourceIds = new IdAllocator('source');
  private readonly relationByKey = new Map<string, Relation>();
  private readonly sourceByKey = new Map<string, Source>();
  private readonly evidenceKeys = new Set<string>();
  private relationCount = 0;
  private readonly author: string;
  private readonly now: number;

  constructor(
    private readonly format: FormatName,
    options: ImportOptions = {},
  ) {
    this.author = (options.author ?? '').slice(0, 200);
    this.now = options.now ?? 0;
  }

  warn(message: string, where: Where = {}): void {
    this.warnings.push({ ...where, message });
  }

  /** A claim id derived from `base` (slugified) or taken verbatim when it is already a valid, free id. */
  claimId(base: string, verbatim = false): string {
    if (verbatim && /^[A-Za-z0-9_-]{1,60}$/.test(base)) return this.claimIds.take(base);
    return this.claimIds.take(slugify(base));
  }

  addClaim(input: { id: string; text: string; kind?: ClaimKind; tags?: readonly string[]; author?: string; where?: Where }): Claim {
    const where = input.where ?? {};
    if (this.claims.length >= MAX_IMPORT_CLAIMS) throw tooManyClaims(this.format, where);
    let text = input.text;
    if (text.length > MAX_CLAIM_TEXT) {
      this.warn(`claim text is ${text.length} characters; cut to ${MAX_CLAIM_TEXT}`, where);
      text = text.slice(0, MAX_CLAIM_TEXT);
    }
    const claim: Claim = {
      id: input.id,
      text,
      kind: input.kind ?? 'claim',
      x: 0,
      y: 0,
      author: (input.author ?? this.author).slice(0, 200),
      tags: [],
      createdAt: this.now,
      updatedAt: this.now,
    };
    for (const t of input.tags ?? []) this.addTag(claim, t, where);
    this.claims.push(claim);
    return claim;
  }

  addTag(claim: Claim, raw: string, where: Where = {}): void {
    const tag = normalizeTag(raw);
    if (tag === '' || claim.tags.includes(tag)) return;
    if (collapseWhitespace(raw).length > MAX_TAG_LENGTH) this.warn(`tag "${raw}" cut to ${MAX_TAG_LENGTH} characters`, where);
    if (claim.tags.length >= MAX_TAGS) {
      this.warn(`claim ${claim.id} has more than ${MAX_TAGS} tags; "${tag}" dropped`, where);
      return;
    }
    claim.tags.push(tag);
  }

  /**
   * Adds a relation unless the same (from, to, kind, group) already exists, in which case the
   * existing one is returned: formats like Argdown may state one relation several times.
   */
  addRelation(input: { from: string; to: string; kind: RelationKind; group?: string; id?: string; where?: Where }): Relation {
    const group = (input.group ?? '').slice(0, 64);
    const key = `${input.from}\u0000${input.to}\u0000${input.kind}\u0000${group}`;
    const existing = this.relationByKey.get(key);
    if (existing) return existing;
    this.relationCount++;
    // Format-provided ids (AIF nodeIDs) are cleaned and clamped so a suffix still fits 64 characters.
    const base = input.id !== undefined ? input.id.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 56) : `r${this.relationCount}`;
    const id = this.relationIds.take(base);
    const rel: Relation = { id, from: input.from, to: input.to, kind: input.kind, group, author: this.author, createdAt: this.now };
    this.relationByKey.set(key, rel);
    this.relations.push(rel);
    return rel;
  }

  /** A relation id for a format-provided id (AIF S-node) without creating the relation yet. */
  reserveRelationId(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 56) || 'r';
    return this.relationIds.take(clean);
  }

  /**
   * Records that `claimId` cites a web page. Sources are shared by (title, url) so one paper
   * cited by ten claims is one source; a claim citing the same source twice keeps one evidence.
   */
  addSourceLink(claimId: string, title: string, url: string, stance: EvidenceStance): void {
    if (!isWebUrl(url)) return;
    const cleanTitle = collapseWhitespace(title).slice(0, 500);
    const key = `${cleanTitle}\u0000${url}`;
    let source = this.sourceByKey.get(key);
    if (!source) {
      source = {
        id: this.sourceIds.take(slugify(cleanTitle) || slugify(url)),
        url,
        title: cleanTitle,
        authors: [],
        publisher: '',
        publishedAt: null,
        kind: 'other',
        notes: '',
      };
      this.sourceByKey.set(key, source);
      this.sources.push(source);
    }
    const evKey = `${claimId}\u0000${source.id}`;
    if (this.evidenceKeys.has(evKey)) return;
    this.evidenceKeys.add(evKey);
    this.evidence.push({
      id: `ev${this.evidence.length + 1}`,
      claimId,
      sourceId: source.id,
      stance,
      quote: '',
      locator: '',
      note: '',
    });
  }

  /**
   * Finishes the bundle. Claims without a position from the source format get the layered
   * layout; `positions` overrides it per claim.
   */
  build(meta: {
    title: string;
    description: string;
    provenance?: Provenance;
    positions?: Map<string, { x: number; y: number }>;
  }): DebateBundle {
    const layout = layeredLayout(this.claims, this.relations);
    for (const c of this.claims) {
      const p = meta.positions?.get(c.id) ?? layout.get(c.id);
      if (p) {
        c.x = p.x;
        c.y = p.y;
      }
    }
    let title = collapseWhitespace(meta.title);
    if (title.length > MAX_TITLE) {
      this.warn(`title cut to ${MAX_TITLE} characters`);
      title = title.slice(0, MAX_TITLE);
    }
    let description = meta.description.trim();
    if (description.length > MAX_DESCRIPTION) {
      this.warn(`description cut to ${MAX_DESCRIPTION} characters`);
      description = description.slice(0, MAX_DESCRIPTION);
    }
    const bundle: DebateBundle = {
      title,
      description,
      graph: { claims: this.claims, relations: this.relations },
      sources: this.sources,
      evidence: this.evidence,
    };
    if (meta.provenance) bundle.provenance = meta.provenance;
    return bundle;
  }
}
