'use client';

import { useMemo, useRef } from 'react';
import type { Claim } from '@/lib/model/claim';
import type { StanceCounts } from '@/lib/schemas/evidence';
import { DEFAULT_NODE_SIZE, type Size } from '@/lib/layout';
import { claimHandles, type ClaimFlowNode } from '../ClaimNode';
import type { RemoteSelector } from '../presence/presenceStore';
import { nodeStrengthData, type NodeStrength } from '../../strength/useStrengthView';

export interface ClaimNodeInputs {
  claims: readonly Claim[];
  /** Sizes React Flow measured; a claim never on screen has none. */
  sizes: ReadonlyMap<string, Size>;
  selected: ReadonlySet<string>;
  evidence: Readonly<Record<string, StanceCounts>> | undefined;
  highlighted: ReadonlySet<string>;
  editRequest: { id: string; n: number } | null;
  remoteSelectors: ReadonlyMap<string, RemoteSelector[]>;
  openComments: ReadonlyMap<string, number>;
  /** Claims a moderator hid, marked for moderators; null for everyone else. */
  hiddenFromReaders: ReadonlySet<string> | null;
  strength: (claimId: string) => NodeStrength;
  readOnly: boolean;
  onCommitText: (id: string, text: string) => void;
  onOpenComments: (id: string) => void;
}

/** What one claim's node is made of: when all of it is the same as last time, so is the node. */
interface Entry {
  claim: Claim;
  size: Size | undefined;
  selected: boolean;
  evidence: StanceCounts | undefined;
  highlighted: boolean;
  editRequest: number | undefined;
  remoteSelectors: RemoteSelector[] | undefined;
  openComments: number | undefined;
  hidden: boolean;
  strength: NodeStrength;
  node: ClaimFlowNode;
}

const sameStrength = (a: NodeStrength, b: NodeStrength) =>
  a.score === b.score && a.agreeCount === b.agreeCount && a.agreeMean === b.agreeMean && a.delta === b.delta && a.cruxRank === b.cruxRank;

/**
 * The claims as React Flow nodes. A node whose inputs did not change keeps its object, and the
 * list keeps its identity when no node changed, so React Flow and the memoised ClaimNode redo
 * only what changed. The inputs are compared by identity, claim by claim, without building the
 * node first: a remote edit or a drag update on a 2,000-claim map rebuilds one node, not all.
 */
export function useClaimNodes(inputs: ClaimNodeInputs): ClaimFlowNode[] {
  const cache = useRef<{ shared: unknown[]; entries: Map<string, Entry>; list: ClaimFlowNode[] }>({
    shared: [],
    entries: new Map(),
    list: [],
  });
  const { claims, sizes, selected, evidence, highlighted, editRequest, remoteSelectors, openComments, hiddenFromReaders, strength } =
    inputs;
  const { readOnly, onCommitText, onOpenComments } = inputs;
  return useMemo(() => {
    const prev = cache.current;
    // What every node carries: when one of these changes, every node is rebuilt.
    const shared = [readOnly, onCommitText, onOpenComments];
    const reuse = shared.every((v, i) => Object.is(v, prev.shared[i]));
    const entries = new Map<string, Entry>();
    let changed = !reuse || claims.length !== prev.list.length;
    const list = claims.map((claim, i) => {
      const id = claim.id;
      const size = sizes.get(id);
      const isSelected = selected.has(id);
      const ev = evidence?.[id];
      const isHighlighted = highlighted.has(id);
      const edit = editRequest?.id === id ? editRequest.n : undefined;
      const remote = remoteSelectors.get(id);
      const comments = openComments.get(id);
      const hidden = !!hiddenFromReaders?.has(id);
      const st = strength(id);
      const old = reuse ? prev.entries.get(id) : undefined;
      if (
        old &&
        old.claim === claim &&
        old.size === size &&
        old.selected === isSelected &&
        old.evidence === ev &&
        old.highlighted === isHighlighted &&
        old.editRequest === edit &&
        old.remoteSelectors === remote &&
        old.openComments === comments &&
        old.hidden === hidden &&
        sameStrength(old.strength, st)
      ) {
        entries.set(id, old);
        if (prev.list[i] !== old.node) changed = true;
        return old.node;
      }
      changed = true;
      const node: ClaimFlowNode = {
        id,
        type: 'claim',
        position: { x: claim.x, y: claim.y },
        // The minimap draws a node from its user object's size: the measured one once React Flow
        // has rendered it, the default size for claims never on screen (visible-only rendering).
        measured: size,
        initialWidth: DEFAULT_NODE_SIZE.width,
        initialHeight: DEFAULT_NODE_SIZE.height,
        handles: claimHandles(size ?? DEFAULT_NODE_SIZE),
        selected: isSelected,
        data: {
          text: claim.text,
          kind: claim.kind,
          author: claim.author,
          tags: claim.tags,
          onCommitText,
          evidence: ev,
          highlighted: isHighlighted,
          readOnly,
          editRequest: edit,
          remoteSelectors: remote,
          openComments: comments,
          onOpenComments,
          hiddenFromReaders: hidden,
          ...nodeStrengthData(st),
        },
      };
      entries.set(id, {
        claim,
        size,
        selected: isSelected,
        evidence: ev,
        highlighted: isHighlighted,
        editRequest: edit,
        remoteSelectors: remote,
        openComments: comments,
        hidden,
        strength: st,
        node,
      });
      return node;
    });
    cache.current = { shared, entries, list: changed ? list : prev.list };
    return cache.current.list;
  }, [
    claims,
    sizes,
    selected,
    evidence,
    highlighted,
    editRequest,
    remoteSelectors,
    openComments,
    hiddenFromReaders,
    strength,
    readOnly,
    onCommitText,
    onOpenComments,
  ]);
}
