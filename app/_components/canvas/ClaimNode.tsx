'use client';

import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Handle, Position, type Node, type NodeHandle, type NodeProps } from '@xyflow/react';
import { MAX_CLAIM_TEXT, type ClaimKind } from '@/lib/model/claim';
import type { StanceCounts } from '@/lib/schemas/evidence';
import { remoteSelectionLabel, remoteSelectionStyle } from './presence/usePresence';
import type { RemoteSelector } from './presence/presenceStore';
import { NodeStrength } from '../strength/NodeStrength';

export type ClaimNodeData = {
  text: string;
  kind: ClaimKind;
  author: string;
  tags: string[];
  onCommitText: (id: string, text: string) => void;
  /** Evidence on this claim by stance; absent while unknown or when there is none. */
  evidence?: StanceCounts;
  /** Backed by the source picked in the sources panel. */
  highlighted?: boolean;
  /** Read-only: no inline editor. */
  readOnly?: boolean;
  /** Bumped to open the inline editor from outside (shortcuts, context menu, new claim). */
  editRequest?: number;
  /** Other participants who have this claim selected. */
  remoteSelectors?: RemoteSelector[];
  /** Open comment threads on this claim. */
  openComments?: number;
  onOpenComments?: (id: string) => void;
  /** A moderator hid it: readers do not see it; moderators see it marked. */
  hiddenFromReaders?: boolean;
  /** Strength in [0, 1] in the chosen perspective; absent until scores load. */
  strength?: number;
  /** Agreement votes on this claim: how many, and their mean on 0..4. */
  agreeCount?: number;
  agreeMean?: number;
  /** Score in the comparison perspective minus `strength`, when comparing. */
  strengthDelta?: number;
  /** 1-based rank among the top cruxes. */
  cruxRank?: number;
};
export type ClaimFlowNode = Node<ClaimNodeData, 'claim'>;

const KIND_LABEL: Record<ClaimKind, string> = { thesis: 'Thesis', claim: 'Claim', question: 'Question' };

/** React Flow's default handle is a 6 px square (border-box), centred on the node's edge. */
const HANDLE_SIZE = 6;

/**
 * Where ClaimNode's two handles sit, for a node of the given size: the source centred on the
 * top edge, the target on the bottom edge. Given on the node object, they let React Flow draw
 * edges to a claim it has never rendered; without them it mounts every node once to measure
 * its handles, which on a 2,000-claim map costs seconds of layout before the map shows.
 * Once a node is on screen React Flow measures the real ones.
 */
export function claimHandles(size: { width: number; height: number }): NodeHandle[] {
  const x = size.width / 2 - HANDLE_SIZE / 2;
  return [
    { type: 'source', position: Position.Top, x, y: -HANDLE_SIZE / 2, width: HANDLE_SIZE, height: HANDLE_SIZE },
    { type: 'target', position: Position.Bottom, x, y: size.height - HANDLE_SIZE / 2, width: HANDLE_SIZE, height: HANDLE_SIZE },
  ];
}

function ClaimNodeView({ id, data, selected, isConnectable }: NodeProps<ClaimFlowNode>) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(data.text);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (!editing) setDraft(data.text);
  }, [data.text, editing]);
  useEffect(() => {
    if (data.editRequest && !data.readOnly) setEditing(true);
  }, [data.editRequest, data.readOnly]);
  useEffect(() => {
    if (data.readOnly) setEditing(false);
  }, [data.readOnly]);
  // A node React Flow has not measured yet is visibility:hidden, so the first focus() can fail: retry.
  useEffect(() => {
    if (!editing) return;
    let tries = 0;
    let frame = 0;
    const tryFocus = () => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      if (document.activeElement !== el && tries++ < 10) frame = requestAnimationFrame(tryFocus);
    };
    tryFocus();
    return () => cancelAnimationFrame(frame);
  }, [editing]);

  const commit = () => {
    setEditing(false);
    if (draft !== data.text) data.onCommitText(id, draft);
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    e.stopPropagation();
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      commit();
    } else if (e.key === 'Escape') {
      setDraft(data.text);
      setEditing(false);
    }
  };

  const colours = (data.remoteSelectors ?? []).map((s) => s.colour);
  const who = remoteSelectionLabel(data.remoteSelectors);

  return (
    <div
      className={`claim claim-${data.kind}${selected ? ' is-selected' : ''}${data.highlighted ? ' is-highlighted' : ''}${data.hiddenFromReaders ? ' is-hidden-claim' : ''}`}
      style={remoteSelectionStyle(colours)}
      title={who}
      data-testid="claim-node"
      data-claim-id={id}
      data-highlighted={data.highlighted ? 'yes' : undefined}
      data-remote-selected={colours.length > 0 ? 'yes' : undefined}
      onDoubleClick={() => !data.readOnly && setEditing(true)}
    >
      {/* Arguments sit below what they argue about: edges leave a child at its top and enter the parent at its bottom. */}
      <Handle type="source" position={Position.Top} isConnectable={isConnectable} />
      <div className="claim-kind">
        {KIND_LABEL[data.kind]}
        {data.hiddenFromReaders && (
          <span className="claim-hidden-badge" data-testid="hidden-badge" title="Hidden by a moderator: only moderators see it">
            {' '}
            · hidden
          </span>
        )}
      </div>
      {editing ? (
        <textarea
          ref={ref}
          className="claim-edit nodrag nowheel"
          value={draft}
          maxLength={MAX_CLAIM_TEXT}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={onKey}
          aria-label="Claim text"
        />
      ) : (
        <div className="claim-text" data-testid="claim-text">
          {data.text || <em className="placeholder">{data.readOnly ? 'Empty claim' : 'Double-click to write the claim'}</em>}
        </div>
      )}
      {data.tags.length > 0 && (
        <div className="claim-tags">
          {data.tags.map((t) => (
            <span key={t} className="tag">
              #{t}
            </span>
          ))}
        </div>
      )}
      {data.strength !== undefined && (
        <NodeStrength
          thesis={data.kind === 'thesis'}
          score={data.strength}
          count={data.agreeCount ?? 0}
          mean={data.agreeMean ?? 0}
          delta={data.strengthDelta}
          cruxRank={data.cruxRank}
        />
      )}
      {data.evidence && <EvidenceCounters counts={data.evidence} />}
      {data.openComments ? (
        <button
          type="button"
          className="claim-comments nodrag"
          data-testid="comment-count"
          onClick={() => data.onOpenComments?.(id)}
          aria-label={`${data.openComments} open comment thread${data.openComments === 1 ? '' : 's'}`}
        >
          💬 {data.openComments}
        </button>
      ) : null}
      {who && <span className="visually-hidden">{who}</span>}
      <Handle type="target" position={Position.Bottom} isConnectable={isConnectable} />
    </div>
  );
}

function EvidenceCounters({ counts }: { counts: StanceCounts }) {
  const label = `Evidence: ${counts.supports} supporting, ${counts.contradicts} contradicting, ${counts.context} context`;
  return (
    <div className="claim-evidence" aria-label={label} title={label}>
      <span className={`ev-count ev-supports${counts.supports === 0 ? ' zero' : ''}`} data-testid="evidence-supports">
        {counts.supports}
      </span>
      <span className={`ev-count ev-contradicts${counts.contradicts === 0 ? ' zero' : ''}`} data-testid="evidence-contradicts">
        {counts.contradicts}
      </span>
      {counts.context > 0 && (
        <span className="ev-count ev-context" data-testid="evidence-context">
          {counts.context}
        </span>
      )}
    </div>
  );
}

export const ClaimNode = memo(ClaimNodeView);
