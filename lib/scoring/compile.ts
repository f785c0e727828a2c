import type { ArgumentGraph } from '../model/graph';

/*
 * Turns an ArgumentGraph into integer-indexed arrays once, so that evaluation touches no strings
 * and no Maps, and reading tallies is one lookup per claim and relation. Compiling is most of
 * the cost of scoring from scratch (id hashing); when only votes change, keep the compiled graph
 * and call loadParameters() and evaluate() again.
 *
 * The unit of scoring is the *argument*: one relation, or a linked group of relations (same
 * non-empty `group`, same `to`, same kind) whose premises only count together. Nodes are the
 * claims (ids 0..C−1, value = score) followed by the arguments (ids C..C+A−1, value = the
 * argument's contribution to its target). Each node lists the nodes its value depends on:
 *   claim      → the arguments targeting it (supports and attacks)
 *   argument   → its premise claims, then the undercut arguments targeting it
 * An undercut argument targets an argument node: the inference it attacks.
 */

export const ARG_SUPPORTS = 0;
export const ARG_ATTACKS = 1;
export const ARG_UNDERCUTS = 2;
export type ArgKind = typeof ARG_SUPPORTS | typeof ARG_ATTACKS | typeof ARG_UNDERCUTS;

export interface CompiledGraph {
  readonly claimCount: number;
  readonly argCount: number;
  readonly claimIds: readonly string[];
  readonly claimIndex: ReadonlyMap<string, number>;
  /** Every input relation's id, in input order (relation index = position in graph.relations). */
  readonly relationIds: readonly string[];
  /** Relation id → index of its first occurrence. */
  readonly relationIndex: ReadonlyMap<string, number>;
  /**
   * Relations left out: duplicate id, unknown kind, an end that does not exist, or an undercut
   * of a relation that is itself left out. Validation keeps these out of stored documents; the
   * scorer still must not crash on them mid-edit.
   */
  readonly ignoredRelationIds: readonly string[];
  /** Per argument: ARG_* kind. */
  readonly argKind: Uint8Array;
  /** Per argument: target node (a claim index, or claimCount + argument index for undercuts). */
  readonly argTarget: Int32Array;
  /** Per argument: its co-premise group id ('' for a lone relation). */
  readonly argGroup: readonly string[];
  /** Relations of argument a: relationIds indices argRels[argRelStart[a] .. argRelStart[a+1]). */
  readonly argRelStart: Int32Array;
  readonly argRels: Int32Array;
  /** Per relation: its argument, or −1 for an ignored relation. */
  readonly relArg: Int32Array;
  /** Dependencies of node n: deps[depStart[n] .. depStart[n+1]). */
  readonly depStart: Int32Array;
  readonly deps: Int32Array;
  /** Aligned with deps: +1 a supporting argument of a claim, −1 an attacking one, 0 otherwise. */
  readonly depSign: Int8Array;
  /** Per argument: end of its premises within deps; undercut arguments follow up to depStart. */
  readonly argPremEnd: Int32Array;
  /**
   * Evaluation schedule: nodes in dependency order (every node after all it depends on), cut
   * into blocks, the strongly connected components. Block b is order[blockStart[b] ..
   * blockStart[b+1]); blockCyclic[b] = 1 when it is a real cycle (several nodes, or a node
   * depending on itself). An acyclic graph is all one-node blocks: one topological pass.
   */
  readonly order: Int32Array;
  readonly blockStart: Int32Array;
  readonly blockCyclic: Uint8Array;
  /** Indices of the cyclic blocks. */
  readonly cyclicBlocks: Int32Array;
  /** Per node: its block, and its position in order. */
  readonly nodeBlock: Int32Array;
  readonly nodePos: Int32Array;
}

function kindCode(kind: string): ArgKind | undefined {
  return kind === 'supports' ? ARG_SUPPORTS : kind === 'attacks' ? ARG_ATTACKS : kind === 'undercuts' ? ARG_UNDERCUTS : undefined;
}

const UNKNOWN = 0;
const VISITING = 1;
const VALID = 2;
const INVALID = 3;

export function compileGraph(graph: ArgumentGraph): CompiledGraph {
  // Phases are separate functions so V8 optimizes each loop on its own; one long function kept
  // deoptimizing on code its first runs had not reached.
  const claims = indexClaims(graph);
  const rels = resolveRelations(graph, claims.claimIndex);
  const valid = validRelations(rels);
  const args = formArguments(graph, claims.claimIds.length, rels, valid);
  const dependencies = buildDependencies(claims.claimIds.length, args);
  const ignoredRelationIds: string[] = [];
  for (let i = 0; i < valid.length; i++) if (valid[i] !== VALID) ignoredRelationIds.push(rels.relationIds[i]!);
  return {
    claimCount: claims.claimIds.length,
    argCount: args.argKind.length,
    claimIds: claims.claimIds,
    claimIndex: claims.claimIndex,
    relationIds: rels.relationIds,
    relationIndex: rels.relationIndex,
    ignoredRelationIds,
    argKind: args.argKind,
    argTarget: args.argTarget,
    argGroup: args.argGroup,
    argRelStart: args.argRelStart,
    argRels: args.argRels,
    relArg: args.relArg,
    ...dependencies,
    ...schedule(claims.claimIds.length + args.argKind.length, dependencies.depStart, dependencies.deps),
  };
}

function indexClaims(graph: ArgumentGraph): { claimIds: string[]; claimIndex: Map<string, number> } {
  const claims = graph.claims;
  // Fast path: one hash operation per id. Ids are unique in any stored document, so the
  // slower first-occurrence-wins path below runs only on malformed input.
  const claimIds = new Array<string>(claims.length);
  let claimIndex = new Map<string, number>();
  for (let i = 0; i < claims.length; i++) {
    const id = claims[i]!.id;
    claimIds[i] = id;
    claimIndex.set(id, i);
  }
  if (claimIndex.size === claims.length) return { claimIds, claimIndex };
  claimIds.length = 0;
  claimIndex = new Map();
  for (const c of claims) {
    if (claimIndex.has(c.id)) continue;
    claimIndex.set(c.id, claimIds.length);
    claimIds.push(c.id);
  }
  return { claimIds, claimIndex };
}

interface ResolvedRelations {
  relationIds: string[];
  relationIndex: Map<string, number>;
  /** ARG_* code, or −1 for an unknown kind. */
  kind: Int8Array;
  /** Claim index of `from`, or −1. */
  from: Int32Array;
  /** For supports/attacks: claim index of `to`, or −1. */
  toClaim: Int32Array;
  /** For undercuts: relation index of `to`, or −1. */
  toRel: Int32Array;
  /** 1 for a repeated relation id (the first occurrence wins). */
  duplicate: Uint8Array;
}

/** Resolves every id once; everything after this works on integers. */
function resolveRelations(graph: ArgumentGraph, claimIndex: ReadonlyMap<string, number>): ResolvedRelations {
  const rels = graph.relations;
  const R = rels.length;
  const relationIds = new Array<string>(R);
  const relationIndex = new Map<string, number>();
  const kind = new Int8Array(R);
  const from = new Int32Array(R);
  const toClaim = new Int32Array(R).fill(-1);
  const toRel = new Int32Array(R).fill(-1);
  const duplicate = new Uint8Array(R);
  let duplicates = false;
  for (let i = 0; i < R; i++) {
    const r = rels[i]!;
    relationIds[i] = r.id;
    // One hash operation per id; a repeat (malformed input only) is sorted out below.
    const size = relationIndex.size;
    relationIndex.set(r.id, i);
    if (relationIndex.size === size) duplicates = true;
    const k = kindCode(r.kind) ?? -1;
    kind[i] = k;
    from[i] = claimIndex.get(r.from) ?? -1;
    if (k === ARG_SUPPORTS || k === ARG_ATTACKS) toClaim[i] = claimIndex.get(r.to) ?? -1;
  }
  if (duplicates) {
    relationIndex.clear();
    for (let i = 0; i < R; i++) {
      if (relationIndex.has(relationIds[i]!)) duplicate[i] = 1;
      else relationIndex.set(relationIds[i]!, i);
    }
  }
  // After the loop: an undercut may name a relation listed after it.
  for (let i = 0; i < R; i++) if (kind[i] === ARG_UNDERCUTS) toRel[i] = relationIndex.get(rels[i]!.to) ?? -1;
  return { relationIds, relationIndex, kind, from, toClaim, toRel, duplicate };
}

/**
 * Which relations count (VALID or INVALID per relation). An undercut is valid when its target
 * relation is, so chains of undercuts are followed; a ring of undercuts that never reaches a
 * claim is valid (and harmless: it moves no claim).
 */
function validRelations(rels: ResolvedRelations): Uint8Array {
  const { kind, from, toClaim, toRel, duplicate } = rels;
  const R = kind.length;
  const state = new Uint8Array(R);
  const chain = new Int32Array(R);
  for (let i = 0; i < R; i++) {
    if (state[i] !== UNKNOWN) continue;
    let len = 0;
    let j = i;
    let verdict = INVALID;
    for (;;) {
      const s = state[j];
      if (s !== UNKNOWN) {
        verdict = s === INVALID ? INVALID : VALID;
        break;
      }
      state[j] = VISITING;
      chain[len++] = j;
      if (duplicate[j] === 1 || kind[j]! < 0 || from[j]! < 0) break;
      if (kind[j] !== ARG_UNDERCUTS) {
        verdict = toClaim[j]! >= 0 ? VALID : INVALID;
        break;
      }
      const t = toRel[j]!;
      if (t < 0 || t === j) break;
      j = t;
    }
    for (let q = 0; q < len; q++) state[chain[q]!] = verdict;
  }
  return state;
}

interface Arguments {
  argKind: Uint8Array;
  argTarget: Int32Array;
  argGroup: string[];
  argRelStart: Int32Array;
  argRels: Int32Array;
  relArg: Int32Array;
  /** Deduplicated premises of argument a: prem[premStart[a] .. premStart[a+1]). */
  premStart: Int32Array;
  prem: Int32Array;
}

/** Lone relations become one argument each; linked groups are keyed by kind + target + group. */
function formArguments(graph: ArgumentGraph, C: number, rels: ResolvedRelations, valid: Uint8Array): Arguments {
  const { kind, from, toClaim, toRel } = rels;
  const R = kind.length;
  const relArg = new Int32Array(R).fill(-1);
  const groupArg = new Map<string, number>();
  const argKindList: number[] = [];
  const argGroup: string[] = [];
  const argFirstRel: number[] = [];
  for (let k = 0; k < R; k++) {
    if (valid[k] !== VALID) continue;
    const r = graph.relations[k]!;
    const key = r.group === '' ? undefined : `${kind[k]}\u0000${r.to}\u0000${r.group}`;
    let a = key === undefined ? undefined : groupArg.get(key);
    if (a === undefined) {
      a = argKindList.length;
      argKindList.push(kind[k]!);
      argGroup.push(r.group);
      argFirstRel.push(k);
      if (key !== undefined) groupArg.set(key, a);
    }
    relArg[k] = a;
  }
  const A = argKindList.length;
  const argKind = Uint8Array.from(argKindList);

  const argTarget = new Int32Array(A);
  for (let a = 0; a < A; a++) {
    const k = argFirstRel[a]!;
    argTarget[a] = argKind[a] === ARG_UNDERCUTS ? C + relArg[toRel[k]!]! : toClaim[k]!;
  }

  const argRelStart = new Int32Array(A + 1);
  for (let k = 0; k < R; k++) if (relArg[k]! >= 0) argRelStart[relArg[k]! + 1]!++;
  for (let a = 0; a < A; a++) argRelStart[a + 1]! += argRelStart[a]!;
  const argRels = new Int32Array(argRelStart[A]!);
  const relCursor = argRelStart.slice(0, A);
  for (let k = 0; k < R; k++) if (relArg[k]! >= 0) argRels[relCursor[relArg[k]!]!++] = k;

  // Premises deduplicated: a claim listed twice in one linked group is still one premise, and
  // counting it twice would square its strength in the product.
  const premStart = new Int32Array(A + 1);
  const prem = new Int32Array(argRels.length);
  let pn = 0;
  for (let a = 0; a < A; a++) {
    premStart[a] = pn;
    for (let q = argRelStart[a]!; q < argRelStart[a + 1]!; q++) {
      const p = from[argRels[q]!]!;
      let seen = false;
      for (let z = premStart[a]!; z < pn; z++) if (prem[z] === p) seen = true;
      if (!seen) prem[pn++] = p;
    }
  }
  premStart[A] = pn;
  return { argKind, argTarget, argGroup, argRelStart, argRels, relArg, premStart, prem };
}

/** Dependency lists in CSR form: count, prefix-sum, fill. */
function buildDependencies(C: number, args: Arguments): Pick<CompiledGraph, 'depStart' | 'deps' | 'depSign' | 'argPremEnd'> {
  const { argKind, argTarget, premStart, prem } = args;
  const A = argKind.length;
  const N = C + A;
  const depStart = new Int32Array(N + 1);
  for (let a = 0; a < A; a++) {
    depStart[C + a + 1]! += premStart[a + 1]! - premStart[a]!;
    depStart[argTarget[a]! + 1]!++;
  }
  for (let n = 0; n < N; n++) depStart[n + 1]! += depStart[n]!;
  const E = depStart[N]!;
  const deps = new Int32Array(E);
  const depSign = new Int8Array(E);
  const argPremEnd = new Int32Array(A);
  const cursor = depStart.slice(0, N);
  // Premises first for every argument, so its undercuts (filled next) come after them.
  for (let a = 0; a < A; a++) {
    const n = C + a;
    for (let z = premStart[a]!; z < premStart[a + 1]!; z++) deps[cursor[n]!++] = prem[z]!;
    argPremEnd[a] = cursor[n]!;
  }
  for (let a = 0; a < A; a++) {
    const t = argTarget[a]!;
    const p = cursor[t]!++;
    deps[p] = C + a;
    if (t < C) depSign[p] = argKind[a] === ARG_SUPPORTS ? 1 : -1;
  }
  return { depStart, deps, depSign, argPremEnd };
}

/**
 * The evaluation schedule. Argument maps are almost acyclic, so Kahn's algorithm first peels
 * off every node not on or downstream of a cycle (cheap: one pass over the edges); Tarjan's
 * strongly connected components then orders whatever is left. Tarjan is iterative (a recursive
 * one overflows the stack on a long chain); with edges pointing from a node to what it depends
 * on it emits a component only after every component it can reach, so its emission order is
 * dependencies-first, which is the evaluation order.
 */
function schedule(
  N: number,
  depStart: Int32Array,
  deps: Int32Array,
): Pick<CompiledGraph, 'order' | 'blockStart' | 'blockCyclic' | 'cyclicBlocks' | 'nodeBlock' | 'nodePos'> {
  const E = deps.length;
  const order = new Int32Array(N);
  const blockStartAll = new Int32Array(N + 1);
  const blockCyclicAll = new Uint8Array(N);
  const nodeBlock = new Int32Array(N);
  const nodePos = new Int32Array(N);

  // Kahn: dependents lists, then release each node once everything it depends on is placed.
  const revStart = new Int32Array(N + 1);
  for (let p = 0; p < E; p++) revStart[deps[p]! + 1]!++;
  for (let n = 0; n < N; n++) revStart[n + 1]! += revStart[n]!;
  const rev = new Int32Array(E);
  const cursor = revStart.slice(0, N);
  for (let n = 0; n < N; n++) for (let p = depStart[n]!; p < depStart[n + 1]!; p++) rev[cursor[deps[p]!]!++] = n;
  const remaining = new Int32Array(N);
  let placed = 0;
  for (let n = 0; n < N; n++) {
    remaining[n] = depStart[n + 1]! - depStart[n]!;
    if (remaining[n] === 0) order[placed++] = n;
  }
  for (let head = 0; head < placed; head++) {
    const n = order[head]!;
    for (let q = revStart[n]!; q < revStart[n + 1]!; q++) {
      const m = rev[q]!;
      if (--remaining[m]! === 0) order[placed++] = m;
    }
  }
  for (let i = 0; i < placed; i++) {
    blockStartAll[i] = i;
    nodeBlock[order[i]!] = i;
    nodePos[order[i]!] = i;
  }
  let out = placed;
  let blocks = placed;
  const cyclic: number[] = [];

  if (placed < N) {
    // Tarjan over the rest; placed nodes (remaining 0) are already final and are skipped.
    const index = new Int32Array(N).fill(-1);
    const low = new Int32Array(N);
    const onStack = new Uint8Array(N);
    const stack = new Int32Array(N);
    const callNode = new Int32Array(N);
    const callEdge = new Int32Array(N);
    let counter = 0;
    let sp = 0;
    for (let root = 0; root < N; root++) {
      if (remaining[root] === 0 || index[root] !== -1) continue;
      let csp = 0;
      index[root] = low[root] = counter++;
      stack[sp++] = root;
      onStack[root] = 1;
      callNode[csp] = root;
      callEdge[csp++] = depStart[root]!;
      while (csp > 0) {
        const v = callNode[csp - 1]!;
        const e = callEdge[csp - 1]!;
        if (e < depStart[v + 1]!) {
          callEdge[csp - 1] = e + 1;
          const w = deps[e]!;
          if (remaining[w] === 0) continue;
          if (index[w] === -1) {
            index[w] = low[w] = counter++;
            stack[sp++] = w;
            onStack[w] = 1;
            callNode[csp] = w;
            callEdge[csp++] = depStart[w]!;
          } else if (onStack[w] === 1 && index[w]! < low[v]!) {
            low[v] = index[w]!;
          }
          continue;
        }
        csp--;
        if (csp > 0) {
          const u = callNode[csp - 1]!;
          if (low[v]! < low[u]!) low[u] = low[v]!;
        }
        if (low[v] !== index[v]) continue;
        const start = out;
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          nodeBlock[w] = blocks;
          nodePos[w] = out;
          order[out++] = w;
        } while (w !== v);
        let isCycle = out - start > 1;
        if (!isCycle) for (let q = depStart[v]!; q < depStart[v + 1]!; q++) if (deps[q] === v) isCycle = true;
        blockStartAll[blocks] = start;
        if (isCycle) {
          blockCyclicAll[blocks] = 1;
          cyclic.push(blocks);
        }
        blocks++;
      }
    }
  }
  blockStartAll[blocks] = out;
  return {
    order,
    blockStart: blockStartAll.slice(0, blocks + 1),
    blockCyclic: blockCyclicAll.slice(0, blocks),
    cyclicBlocks: Int32Array.from(cyclic),
    nodeBlock,
    nodePos,
  };
}

/** Claim and relation ids of one block, for reports. */
export function blockMembers(g: CompiledGraph, block: number): { claimIds: string[]; relationIds: string[] } {
  const claimIds: string[] = [];
  const relationIds: string[] = [];
  for (let i = g.blockStart[block]!; i < g.blockStart[block + 1]!; i++) {
    const n = g.order[i]!;
    if (n < g.claimCount) claimIds.push(g.claimIds[n]!);
    else {
      const a = n - g.claimCount;
      for (let q = g.argRelStart[a]!; q < g.argRelStart[a + 1]!; q++) relationIds.push(g.relationIds[g.argRels[q]!]!);
    }
  }
  return { claimIds, relationIds };
}
