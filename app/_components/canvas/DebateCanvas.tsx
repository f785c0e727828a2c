'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
  type NodeChange,
  type EdgeChange,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { addClaim, addRelation, deleteClaims, deleteRelations, setClaimText, updateClaim } from '@/lib/model/doc';
import type { RelationKind } from '@/lib/model/relation';
import { ClaimNode, type ClaimFlowNode } from './ClaimNode';
import { useDebateDoc } from './useDebateDoc';
import { useGraph } from './useGraph';

const nodeTypes = { claim: ClaimNode };

/** Colour-blind-safe pair (blue / vermillion) plus a dash, so the two never rely on hue alone. */
export const RELATION_STYLE: Record<RelationKind, { stroke: string; dash?: string; label: string }> = {
  supports: { stroke: '#0072B2', label: 'supports' },
  attacks: { stroke: '#D55E00', dash: '6 4', label: 'attacks' },
  undercuts: { stroke: '#CC79A7', dash: '2 4', label: 'undercuts' },
};

/** Drag moves are sent at most this often; the final position is always sent on drop. */
const DRAG_SEND_MS = 80;

function Canvas({ debateId, title }: { debateId: string; title: string }) {
  const { doc, status, synced, saving, fatal, rejected } = useDebateDoc(debateId);
  const graph = useGraph(doc);
  const flow = useReactFlow();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const [dragging, setDragging] = useState<Map<string, { x: number; y: number }>>(new Map());
  const [mode, setMode] = useState<'supports' | 'attacks'>('supports');
  const lastSent = useRef(new Map<string, number>());
  const author = 'Guest';

  // Fit the map once, when the first synced content arrives (the doc starts empty).
  const fitted = useRef(false);
  useEffect(() => {
    if (fitted.current || !synced || graph.claims.length === 0) return;
    fitted.current = true;
    requestAnimationFrame(() => void flow.fitView({ padding: 0.1 }));
  }, [synced, graph.claims.length, flow]);

  const onCommitText = useCallback((id: string, text: string) => doc && setClaimText(doc, id, text), [doc]);

  const nodes: ClaimFlowNode[] = useMemo(
    () =>
      graph.claims.map((c) => ({
        id: c.id,
        type: 'claim',
        position: dragging.get(c.id) ?? { x: c.x, y: c.y },
        selected: selected.has(c.id),
        data: { text: c.text, kind: c.kind, author: c.author, tags: c.tags, onCommitText },
      })),
    [graph.claims, dragging, selected, onCommitText],
  );

  const edges: Edge[] = useMemo(
    () =>
      graph.relations
        .filter((r) => r.kind !== 'undercuts')
        .map((r) => {
          const s = RELATION_STYLE[r.kind];
          return {
            id: r.id,
            source: r.from,
            target: r.to,
            selected: selectedEdges.has(r.id),
            label: s.label,
            data: { kind: r.kind },
            className: `edge-${r.kind}`,
            style: { stroke: s.stroke, strokeWidth: 2, strokeDasharray: s.dash },
            labelStyle: { fill: s.stroke, fontWeight: 600 },
            markerEnd: { type: MarkerType.ArrowClosed, color: s.stroke },
          };
        }),
    [graph.relations, selectedEdges],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<ClaimFlowNode>[]) => {
      if (!doc) return;
      const removed: string[] = [];
      setSelected((prev) => {
        let next = prev;
        for (const ch of changes) {
          if (ch.type !== 'select') continue;
          if (next === prev) next = new Set(prev);
          if (ch.selected) next.add(ch.id);
          else next.delete(ch.id);
        }
        return next;
      });
      for (const ch of changes) {
        if (ch.type === 'remove') removed.push(ch.id);
        if (ch.type !== 'position') continue;
        if (ch.dragging && ch.position) {
          const pos = ch.position;
          setDragging((prev) => new Map(prev).set(ch.id, pos));
          const now = performance.now();
          if (now - (lastSent.current.get(ch.id) ?? 0) >= DRAG_SEND_MS) {
            lastSent.current.set(ch.id, now);
            updateClaim(doc, ch.id, { x: Math.round(pos.x), y: Math.round(pos.y) });
          }
        } else if (ch.dragging === false) {
          setDragging((prev) => {
            const pos = ch.position ?? prev.get(ch.id);
            if (pos) updateClaim(doc, ch.id, { x: Math.round(pos.x), y: Math.round(pos.y) });
            const next = new Map(prev);
            next.delete(ch.id);
            return next;
          });
        }
      }
      if (removed.length > 0) deleteClaims(doc, removed);
    },
    [doc],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      if (!doc) return;
      setSelectedEdges((prev) => {
        let next = prev;
        for (const ch of changes) {
          if (ch.type !== 'select') continue;
          if (next === prev) next = new Set(prev);
          if (ch.selected) next.add(ch.id);
          else next.delete(ch.id);
        }
        return next;
      });
      const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
      if (removed.length > 0) deleteRelations(doc, removed);
    },
    [doc],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!doc || !c.source || !c.target || c.source === c.target) return;
      addRelation(doc, { from: c.source, to: c.target, kind: mode, author });
    },
    [doc, mode],
  );

  const addAtCenter = () => {
    if (!doc) return;
    const { x, y } = flow.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
    const id = addClaim(doc, {
      text: '',
      kind: graph.claims.length === 0 ? 'thesis' : 'claim',
      x: Math.round(x - 130),
      y: Math.round(y - 50),
      author,
    });
    setSelected(new Set([id]));
  };

  const deleteSelection = () => {
    if (!doc) return;
    if (selectedEdges.size > 0) deleteRelations(doc, selectedEdges);
    if (selected.size > 0) deleteClaims(doc, selected);
    setSelected(new Set());
    setSelectedEdges(new Set());
  };

  const statusText = fatal
    ? `Disconnected: ${fatal}`
    : status === 'connected'
      ? synced
        ? saving === 'paused'
          ? 'Connected — saving paused, retrying'
          : 'Connected — all changes saved'
        : 'Syncing…'
      : status === 'connecting'
        ? 'Connecting…'
        : 'Offline — reconnecting';

  return (
    <div className="canvas-page">
      <header className="toolbar" role="toolbar" aria-label="Map tools">
        <a href="/" className="home-link">
          ← Crux
        </a>
        <h1 className="debate-title">{title}</h1>
        <button type="button" onClick={addAtCenter} disabled={!doc || !synced} data-testid="add-claim">
          + Claim
        </button>
        <fieldset className="mode" aria-label="New connections">
          <label className={mode === 'supports' ? 'on' : ''}>
            <input type="radio" name="mode" checked={mode === 'supports'} onChange={() => setMode('supports')} /> Supports
          </label>
          <label className={mode === 'attacks' ? 'on' : ''}>
            <input type="radio" name="mode" checked={mode === 'attacks'} onChange={() => setMode('attacks')} /> Attacks
          </label>
        </fieldset>
        <button type="button" onClick={deleteSelection} disabled={selected.size + selectedEdges.size === 0}>
          Delete
        </button>
        <span
          className={`status status-${fatal ? 'fatal' : status}`}
          data-testid="connection-status"
          data-synced={synced ? 'yes' : 'no'}
          role="status"
        >
          {statusText}
        </span>
      </header>
      {rejected && (
        <div className="banner" role="alert">
          The server refused a change ({rejected}). Reload to continue from the saved map.
        </div>
      )}
      <div className="flow">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          minZoom={0.1}
          deleteKeyCode={['Delete', 'Backspace']}
          onlyRenderVisibleElements
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls />
          <MiniMap pannable zoomable />
        </ReactFlow>
      </div>
    </div>
  );
}

export function DebateCanvas(props: { debateId: string; title: string }) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
