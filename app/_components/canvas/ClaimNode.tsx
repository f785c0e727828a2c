'use client';

import { memo, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { MAX_CLAIM_TEXT, type ClaimKind } from '@/lib/model/claim';

export type ClaimNodeData = {
  text: string;
  kind: ClaimKind;
  author: string;
  tags: string[];
  onCommitText: (id: string, text: string) => void;
};
export type ClaimFlowNode = Node<ClaimNodeData, 'claim'>;

const KIND_LABEL: Record<ClaimKind, string> = { thesis: 'Thesis', claim: 'Claim', question: 'Question' };

function ClaimNodeView({ id, data, selected }: NodeProps<ClaimFlowNode>) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(data.text);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (!editing) setDraft(data.text);
  }, [data.text, editing]);
  useEffect(() => {
    if (editing) ref.current?.focus();
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

  return (
    <div
      className={`claim claim-${data.kind}${selected ? ' is-selected' : ''}`}
      data-testid="claim-node"
      data-claim-id={id}
      onDoubleClick={() => setEditing(true)}
    >
      {/* Arguments sit below what they argue about: edges leave a child at its top and enter the parent at its bottom. */}
      <Handle type="source" position={Position.Top} />
      <div className="claim-kind">{KIND_LABEL[data.kind]}</div>
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
          {data.text || <em className="placeholder">Double-click to write the claim</em>}
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
      <Handle type="target" position={Position.Bottom} />
    </div>
  );
}

export const ClaimNode = memo(ClaimNodeView);
