import { z } from 'zod';
import { CLAIM_KINDS, MAX_TAGS, type Claim, type ClaimKind } from '../model/claim';
import type { Relation, RelationKind } from '../model/relation';
import { BundleBuilder } from './builder';
import { parseJson } from './json';
import { IdAllocator, round } from './text';
import {
  FormatError,
  checkInputSize,
  emptyRecord,
  jsonPath,
  ownValue,
  type DebateBundle,
  type DialogueEntry,
  type ExportResult,
  type FormatWarning,
  type ImportOptions,
  type ImportResult,
  type Provenance,
} from './types';

/*
 * AIF (Argument Interchange Format) JSON, as served by AIFdb and written by OVA3.
 *
 * Two input shapes are accepted:
 *   AIFdb: { nodes: [{nodeID, text, type}], edges: [{edgeID, fromID, toID}], locutions, participants }
 *   OVA3:  { AIF: {nodes, edges, locutions, participants, ...}, OVA: {firstname, surname, url,
 *            nodes: [{nodeID, x, y, visible, ...}], edges}, text }
 *
 * Mapping:
 *   I  → claim (its nodeID becomes the claim id when it is a valid, unused id).
 *   RA → `supports` from each premise to the conclusion; two or more premises form one
 *        co-premise group named after the RA node.
 *   CA → `attacks` on an I-node, or `undercuts` when it points at an RA/CA/MA node (an attack
 *        on the inference). Several premises into one CA form a group as for RA.
 *   MA → a `supports` relation flagged `rephrase: true` in bundle.provenance.relations. A
 *        rephrase says the two texts mean the same, so either supports the other; keeping it as
 *        a relation keeps the map connected, and the flag lets the AIF export write an MA again.
 *   L, YA, TA (dialogue: locutions, illocutions, transitions) → bundle.provenance.dialogue,
 *        with the claims/relations they anchor; the speaker of a locution asserting an I-node
 *        becomes the claim's author.
 *   anything else (PA preferences, unknown types) → a warning with the node's JSON path.
 *   OVA x/y → claim positions; claims without one get the layered layout.
 * Without Crux's own `crux` extension block, a claim that is concluded but never used as a
 * premise is taken to be a thesis, so AIFdb maps open with their main claim on top.
 *
 * The export writes OVA3 form (AIF nodes/edges plus OVA positions) and adds a `crux` block with
 * title, description and per-claim kind and tags; AIF readers ignore unknown keys.
 */

const FORMAT = 'aif' as const;

const aifIdSchema = z.union([z.string().min(1).max(200), z.number()]);

export const aifNodeSchema = z.object({
  nodeID: aifIdSchema,
  text: z.string().nullish(),
  type: z.string().max(40),
  timestamp: z.string().nullish(),
});
export type AifNode = z.infer<typeof aifNodeSchema>;

export const aifEdgeSchema = z.object({
  edgeID: aifIdSchema.nullish(),
  fromID: aifIdSchema,
  toID: aifIdSchema,
});

export const aifLocutionSchema = z.object({
  nodeID: aifIdSchema,
  personID: aifIdSchema.nullish(),
  timestamp: z.string().nullish(),
});

export const aifParticipantSchema = z.object({
  participantID: aifIdSchema,
  firstname: z.string().nullish(),
  surname: z.string().nullish(),
});

export const ovaNodeSchema = z.object({
  nodeID: aifIdSchema,
  x: z.number().finite(),
  y: z.number().finite(),
});

/** Crux's extension block, written by exportAif and read back when present. */
export const cruxAifExtensionSchema = z.object({
  title: z.string().max(1000).optional(),
  description: z.string().max(20_000).optional(),
  claims: z
    .record(z.string(), z.object({ kind: z.enum(CLAIM_KINDS).optional(), tags: z.array(z.string()).max(MAX_TAGS).optional() }))
    .optional(),
});

const SCHEME_TYPES = new Set(['RA', 'CA', 'MA']);
const DIALOGUE_TYPES = new Set(['L', 'YA', 'TA']);
const DEFAULT_SCHEME_TEXT: Record<string, string> = {
  RA: 'Default Inference',
  CA: 'Default Conflict',
  MA: 'Default Rephrase',
};

type Path = (string | number)[];

function parseItems<T>(schema: z.ZodType<T>, value: unknown, path: Path, required: boolean): T[] {
  if (value === undefined || value === null) {
    if (required) throw new FormatError(FORMAT, 'missing array', { path: jsonPath(path) });
    return [];
  }
  if (!Array.isArray(value)) throw new FormatError(FORMAT, 'expected an array', { path: jsonPath(path) });
  return value.map((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    throw new FormatError(FORMAT, issue.message, { path: jsonPath([...path, i, ...(issue.path as (string | number)[])]) });
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Imports AIFdb or OVA3 JSON. Throws FormatError (with a JSON path) when the file is unusable. */
export function importAif(input: string, options: ImportOptions = {}): ImportResult {
  checkInputSize(FORMAT, input, options.maxInputBytes);
  const doc = parseJson(FORMAT, input);
  if (!isObject(doc)) throw new FormatError(FORMAT, 'expected a JSON object', { path: '$' });

  let aif: Record<string, unknown>;
  let aifPath: Path;
  let ova: Record<string, unknown> | null = null;
  let ovaPath: Path = [];
  const aifKey = 'AIF' in doc ? 'AIF' : 'aif' in doc ? 'aif' : null;
  if (aifKey !== null) {
    const inner = doc[aifKey];
    if (!isObject(inner)) throw new FormatError(FORMAT, 'expected an object with nodes and edges', { path: jsonPath([aifKey]) });
    aif = inner;
    aifPath = [aifKey];
    const ovaKey = 'OVA' in doc ? 'OVA' : 'ova' in doc ? 'ova' : null;
    if (ovaKey !== null) {
      const o = doc[ovaKey];
      if (!isObject(o)) throw new FormatError(FORMAT, 'expected an object', { path: jsonPath([ovaKey]) });
      ova = o;
      ovaPath = [ovaKey];
    }
  } else if ('nodes' in doc) {
    aif = doc;
    aifPath = [];
  } else throw new FormatError(FORMAT, 'expected AIFdb {nodes, edges} or OVA3 {AIF, OVA}', { path: '$' });

  const nodes = parseItems(aifNodeSchema, aif.nodes, [...aifPath, 'nodes'], true);
  const edges = parseItems(aifEdgeSchema, aif.edges, [...aifPath, 'edges'], true);
  const locutions = parseItems(aifLocutionSchema, aif.locutions, [...aifPath, 'locutions'], false);
  const participants = parseItems(aifParticipantSchema, aif.participants, [...aifPath, 'participants'], false);
  const ovaNodes = ova ? parseItems(ovaNodeSchema, ova.nodes, [...ovaPath, 'nodes'], false) : [];
  let ext: z.infer<typeof cruxAifExtensionSchema> | null = null;
  if (doc.crux !== undefined) {
    const r = cruxAifExtensionSchema.safeParse(doc.crux);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new FormatError(FORMAT, issue.message, { path: jsonPath(['crux', ...(issue.path as (string | number)[])]) });
    }
    ext = r.data;
  }

  const b = new BundleBuilder(FORMAT, options);
  const nodePath = (i: number, ...rest: Path): string => jsonPath([...aifPath, 'nodes', i, ...rest]);

  const byId = new Map<string, { node: AifNode; index: number }>();
  nodes.forEach((node, index) => {
    const id = String(node.nodeID);
    if (byId.has(id)) throw new FormatError(FORMAT, `duplicate nodeID ${id}`, { path: nodePath(index, 'nodeID') });
    byId.set(id, { node, index });
  });

  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  edges.forEach((e, i) => {
    const from = String(e.fromID);
    const to = String(e.toID);
    for (const [end, key] of [
      [from, 'fromID'],
      [to, 'toID'],
    ] as const) {
      if (!byId.has(end)) {
        b.warn(`edge refers to unknown node ${end}; edge ignored`, { path: jsonPath([...aifPath, 'edges', i, key]) });
        return;
      }
    }
    (outgoing.get(from) ?? outgoing.set(from, []).get(from)!).push(to);
    (incoming.get(to) ?? incoming.set(to, []).get(to)!).push(from);
  });
  const typeOf = (id: string): string => byId.get(id)?.node.type ?? '';

  const speakers = new Map<string, string>();
  const names = new Map<string, string>();
  for (const p of participants) names.set(String(p.participantID), [p.firstname, p.surname].filter(Boolean).join(' '));
  for (const l of locutions) {
    if (l.personID === undefined || l.personID === null) continue;
    const name = names.get(String(l.personID));
    if (name) speakers.set(String(l.nodeID), name);
  }

  // Claims first, in node order.
  const claimOf = new Map<string, Claim>();
  const isPremise = new Set<string>();
  const isConclusion = new Set<string>();
  for (const [id, { node }] of byId) {
    // A rephrase is not an argument, so MA nodes do not decide what the main claim is.
    if (node.type !== 'RA' && node.type !== 'CA') continue;
    for (const p of incoming.get(id) ?? []) if (typeOf(p) === 'I') isPremise.add(p);
    for (const c of outgoing.get(id) ?? []) if (typeOf(c) === 'I') isConclusion.add(c);
  }
  const speakerFor = (iNode: string): string | undefined => {
    for (const ya of incoming.get(iNode) ?? []) {
      if (typeOf(ya) !== 'YA') continue;
      for (const l of incoming.get(ya) ?? []) if (typeOf(l) === 'L' && speakers.has(l)) return speakers.get(l);
    }
    return undefined;
  };
  const provenance: Provenance = { origin: 'aif', claims: emptyRecord(), relations: emptyRecord(), dialogue: [] };
  const positions = new Map<string, { x: number; y: number }>();
  const ovaPos = new Map<string, { x: number; y: number }>();
  for (const n of ovaNodes) ovaPos.set(String(n.nodeID), { x: round(n.x), y: round(n.y) });
  for (const [id, { node, index }] of byId) {
    if (node.type !== 'I') continue;
    const extClaim = ownValue(ext?.claims, id);
    const inferred: ClaimKind = ext === null && isConclusion.has(id) && !isPremise.has(id) ? 'thesis' : 'claim';
    const speaker = speakerFor(id);
    const claim = b.addClaim({
      id: b.claimId(id, true),
      text: (node.text ?? '').trim(),
      kind: extClaim?.kind ?? inferred,
      tags: extClaim?.tags ?? [],
      ...(speaker !== undefined ? { author: speaker } : {}),
      where: { path: nodePath(index) },
    });
    claimOf.set(id, claim);
    provenance.claims[claim.id] = { externalId: id };
    const p = ovaPos.get(id);
    if (p) positions.set(claim.id, p);
  }

  // Scheme nodes. Undercuts need their target's relation, so unresolved ones wait for a later pass.
  const repRelation = new Map<string, string>();
  const pendingSchemes: string[] = [];
  for (const [id, { node, index }] of byId) {
    if (SCHEME_TYPES.has(node.type)) pendingSchemes.push(id);
    else if (!DIALOGUE_TYPES.has(node.type) && node.type !== 'I')
      b.warn(
        node.type === 'PA'
          ? 'PA (preference) nodes have no Crux equivalent; node ignored'
          : `unknown node type "${node.type}"; node ignored`,
        { path: nodePath(index, 'type') },
      );
  }
  const resolveScheme = (id: string): 'done' | 'wait' => {
    const { node, index } = byId.get(id)!;
    const premises: Claim[] = [];
    for (const p of incoming.get(id) ?? []) {
      const t = typeOf(p);
      if (t === 'I') premises.push(claimOf.get(p)!);
      // A CA pointing here attacks this inference; it is handled as that CA's undercut.
      else if (!DIALOGUE_TYPES.has(t) && t !== 'CA')
        b.warn(`${t} node ${p} as premise of ${node.type} node is not supported; ignored`, { path: nodePath(index) });
    }
    const targets = (outgoing.get(id) ?? []).filter((t) => typeOf(t) === 'I' || SCHEME_TYPES.has(typeOf(t)));
    if (targets.length === 0) {
      b.warn(`${node.type} node has no conclusion; ignored`, { path: nodePath(index) });
      return 'done';
    }
    if (premises.length === 0) {
      b.warn(`${node.type} node has no premises; ignored`, { path: nodePath(index) });
      return 'done';
    }
    if (targets.length > 1)
      b.warn(`${node.type} node has ${targets.length} conclusions; only the first is used`, { path: nodePath(index) });
    const target = targets[0]!;
    let kind: RelationKind;
    let to: string;
    if (typeOf(target) === 'I') {
      kind = node.type === 'CA' ? 'attacks' : 'supports';
      to = claimOf.get(target)!.id;
    } else {
      if (node.type !== 'CA') {
        b.warn(`${node.type} node pointing at another scheme node is not supported; ignored`, { path: nodePath(index) });
        return 'done';
      }
      const rel = repRelation.get(target);
      if (rel === undefined) return 'wait';
      kind = 'undercuts';
      to = rel;
    }
    const group = premises.length > 1 ? b.reserveRelationId(id) : '';
    premises.forEach((p, k) => {
      if (kind !== 'undercuts' && p.id === to) {
        b.warn('a claim cannot argue about itself; relation ignored', { path: nodePath(index) });
        return;
      }
      const rel = b.addRelation({
        from: p.id,
        to,
        kind,
        group,
        id: premises.length > 1 ? `${group}-${k + 1}` : id.replace(/[^A-Za-z0-9_-]+/g, '-'),
      });
      if (!repRelation.has(id)) repRelation.set(id, rel.id);
      const text = (node.text ?? '').trim();
      provenance.relations[rel.id] = {
        externalId: id,
        scheme: text === DEFAULT_SCHEME_TEXT[node.type] ? '' : text,
        rephrase: node.type === 'MA',
      };
    });
    return 'done';
  };
  let todo = pendingSchemes;
  for (;;) {
    const waiting = todo.filter((id) => resolveScheme(id) === 'wait');
    if (waiting.length === 0) break;
    if (waiting.length === todo.length) {
      for (const id of waiting)
        b.warn('CA node attacks a scheme node that has no relation (or a cycle of them); ignored', { path: nodePath(byId.get(id)!.index) });
      break;
    }
    todo = waiting;
  }

  // Dialogue nodes are kept verbatim with what they anchor.
  for (const [id, { node }] of byId) {
    if (!DIALOGUE_TYPES.has(node.type)) continue;
    const entry: DialogueEntry = {
      externalId: id,
      type: node.type,
      text: (node.text ?? '').slice(0, 10_000),
      speaker: speakers.get(id) ?? null,
      timestamp: node.timestamp ?? null,
      claimIds: [],
      relationIds: [],
    };
    const neighbours = [...(incoming.get(id) ?? []), ...(outgoing.get(id) ?? [])];
    // A locution anchors its claims through its illocution: L → YA → I.
    if (node.type === 'L') for (const ya of outgoing.get(id) ?? []) if (typeOf(ya) === 'YA') neighbours.push(...(outgoing.get(ya) ?? []));
    for (const other of neighbours) {
      const c = claimOf.get(other);
      if (c && !entry.claimIds.includes(c.id)) entry.claimIds.push(c.id);
      const r = repRelation.get(other);
      if (r !== undefined && !entry.relationIds.includes(r)) entry.relationIds.push(r);
    }
    provenance.dialogue.push(entry);
  }

  const bundle = b.build({
    title: ext?.title ?? '',
    description: ext?.description ?? '',
    provenance,
    positions,
  });
  return { bundle, warnings: b.warnings };
}

// ---------------------------------------------------------------------------------------------
// Export

interface AifOutNode {
  nodeID: string;
  text: string;
  type: string;
  timestamp: string;
}

function aifTimestamp(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  return Number.isNaN(d.getTime()) ? '1970-01-01 00:00:00' : d.toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * Writes OVA3-compatible JSON: one I-node per claim (nodeID = claim id), one S-node per relation
 * or co-premise group, OVA positions for every node (scheme nodes halfway between premises and
 * conclusion), and the `crux` extension block.
 */
export function exportAif(bundle: DebateBundle): ExportResult {
  const warnings: FormatWarning[] = [];
  const { claims, relations } = bundle.graph;
  const claimById = new Map(claims.map((c) => [c.id, c]));
  const relById = new Map(relations.map((r) => [r.id, r]));
  const ids = new IdAllocator('s');
  for (const c of claims) ids.take(c.id);
  const prov = bundle.provenance?.origin === 'aif' ? bundle.provenance : undefined;

  interface Unit {
    nodeID: string;
    members: Relation[];
    kind: RelationKind;
    to: string;
  }
  const units: Unit[] = [];
  const unitOfRelation = new Map<string, Unit>();
  const unitByGroup = new Map<string, Unit>();
  for (const r of relations) {
    if (!claimById.has(r.from)) {
      warnings.push({ message: `relation ${r.id} starts at a missing claim; omitted` });
      continue;
    }
    const key = r.group === '' ? null : `${r.to}\u0000${r.kind}\u0000${r.group}`;
    const existing = key === null ? undefined : unitByGroup.get(key);
    if (existing) {
      existing.members.push(r);
      unitOfRelation.set(r.id, existing);
      continue;
    }
    const unit: Unit = { nodeID: ids.take(r.group !== '' ? r.group : r.id), members: [r], kind: r.kind, to: r.to };
    units.push(unit);
    unitOfRelation.set(r.id, unit);
    if (key !== null) unitByGroup.set(key, unit);
  }

  const nodes: AifOutNode[] = [];
  const edges: { edgeID: number; fromID: string; toID: string; formEdgeID: null }[] = [];
  const ovaNodes: { nodeID: string; visible: boolean; x: number; y: number; timestamp: string }[] = [];
  const pos = new Map<string, { x: number; y: number }>();
  for (const c of claims) {
    nodes.push({ nodeID: c.id, text: c.text, type: 'I', timestamp: aifTimestamp(c.createdAt) });
    pos.set(c.id, { x: c.x, y: c.y });
    ovaNodes.push({ nodeID: c.id, visible: true, x: round(c.x), y: round(c.y), timestamp: aifTimestamp(c.createdAt) });
  }

  const targetNode = (u: Unit): string | null => {
    if (u.kind !== 'undercuts') return claimById.has(u.to) ? u.to : null;
    const rel = relById.get(u.to);
    const tu = rel ? unitOfRelation.get(rel.id) : undefined;
    return tu ? tu.nodeID : null;
  };
  // Undercut units sit between their premise and the unit they attack, so place those last.
  const ordered = [...units.filter((u) => u.kind !== 'undercuts'), ...units.filter((u) => u.kind === 'undercuts')];
  const placed = new Set<Unit>();
  const place = (u: Unit, depth = 0): void => {
    if (placed.has(u) || depth > units.length) return;
    if (u.kind === 'undercuts') {
      const rel = relById.get(u.to);
      const tu = rel ? unitOfRelation.get(rel.id) : undefined;
      if (tu) place(tu, depth + 1);
    }
    placed.add(u);
    const target = targetNode(u);
    const tp = target !== null ? pos.get(target) : undefined;
    let x = 0;
    let y = 0;
    for (const m of u.members) {
      const p = pos.get(m.from)!;
      x += p.x;
      y += p.y;
    }
    x /= u.members.length;
    y /= u.members.length;
    if (tp) {
      x = (x + tp.x) / 2;
      y = (y + tp.y) / 2;
    }
    pos.set(u.nodeID, { x, y });
  };
  for (const u of ordered) place(u);

  let edgeId = 0;
  for (const u of ordered) {
    const target = targetNode(u);
    if (target === null) {
      warnings.push({ message: `relation ${u.members[0]!.id} points at nothing; omitted` });
      continue;
    }
    const first = u.members[0]!;
    const p = ownValue(prov?.relations, first.id);
    const type = u.kind === 'supports' ? (p?.rephrase ? 'MA' : 'RA') : 'CA';
    const scheme = p?.scheme ?? '';
    nodes.push({
      nodeID: u.nodeID,
      text: scheme !== '' ? scheme : DEFAULT_SCHEME_TEXT[type]!,
      type,
      timestamp: aifTimestamp(first.createdAt),
    });
    const at = pos.get(u.nodeID)!;
    ovaNodes.push({ nodeID: u.nodeID, visible: true, x: round(at.x), y: round(at.y), timestamp: aifTimestamp(first.createdAt) });
    for (const m of u.members) edges.push({ edgeID: ++edgeId, fromID: m.from, toID: u.nodeID, formEdgeID: null });
    edges.push({ edgeID: ++edgeId, fromID: u.nodeID, toID: target, formEdgeID: null });
  }

  const extClaims = emptyRecord<{ kind?: ClaimKind; tags?: string[] }>();
  for (const c of claims) {
    const entry: { kind?: ClaimKind; tags?: string[] } = {};
    if (c.kind !== 'claim') entry.kind = c.kind;
    if (c.tags.length > 0) entry.tags = c.tags;
    if (entry.kind !== undefined || entry.tags !== undefined) extClaims[c.id] = entry;
  }
  const doc = {
    AIF: { nodes, edges, schemefulfillments: [], locutions: [], participants: [] },
    OVA: {
      firstname: '',
      surname: '',
      url: '',
      nodes: ovaNodes,
      edges: edges.map((e) => ({ fromID: e.fromID, toID: e.toID, visible: true })),
    },
    text: { txt: '' },
    crux: { title: bundle.title, description: bundle.description, claims: extClaims },
  };
  return { text: `${JSON.stringify(doc, null, 2)}\n`, warnings };
}
