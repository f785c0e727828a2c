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
  useStoreApi,
  type Connection,
  type Edge,
  type Node,
  type NodeChange,
  type EdgeChange,
  type ReactFlowProps,
  type XYPosition,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type * as Y from 'yjs';
import { undercutChain, withoutClaims, type UndercutChain } from '@/lib/model/graph';
import { setHidden } from '@/app/_lib/account';
import { addRelation, deleteRelations, setClaimText, updateClaim } from '@/lib/model/doc';
import type { RelationKind } from '@/lib/model/relation';
import type { ClaimKind } from '@/lib/model/claim';
import { evidenceSummaryQuery } from '@/app/_lib/evidence';
import { hiddenClaimsQuery, useDebateAccess } from '@/app/_lib/access';
import { OutlineView } from '../outline/OutlineView';
import { ExportMenu } from '../formats/ExportMenu';
import { CanvasSearch } from '../evidence/CanvasSearch';
import { EvidenceSidebar, type SidebarTab } from '../evidence/EvidenceSidebar';
import { useLiveEvents } from '../evidence/useLiveEvents';
import { ClaimNode, type ClaimFlowNode } from './ClaimNode';
import { UndercutEdge } from './UndercutEdge';
import { useConnectWhenLoaded, useDebateDoc } from './useDebateDoc';
import { useGraph } from './useGraph';
import { LOCAL_ORIGIN, useUndo } from './hooks/useUndo';
import { useCanvasCommands } from './hooks/useCanvasCommands';
import { useStableList } from './hooks/useStable';
import { useClaimNodes } from './hooks/useClaimNodes';
import { fitClaims } from './hooks/fitClaims';
import { useShortcuts } from './hooks/useShortcuts';
import { useOfflineDoc } from './hooks/useOfflineDoc';
import { STATUS_CLASS, describeSync, useLocalSync } from './hooks/useSyncStatus';
import { useOpenCommentCounts } from './hooks/useComments';
import { ContextMenu, type ContextMenuTarget } from './ContextMenu';
import { HelpOverlay } from './HelpOverlay';
import { CommentsPanel } from './CommentsPanel';
import { useFollow, usePresence, useRemoteSelections } from './presence/usePresence';
import { PresenceLayer } from './presence/RemoteCursors';
import { WhoIsHere } from './presence/WhoIsHere';
import { useStrengthView } from '../strength/useStrengthView';
import { PhaseBanner, PhaseControl } from '../strength/Phase';
import { impactStrokeWidth, fixed1 } from '../strength/encoding';

const nodeTypes = { claim: ClaimNode };
/** Theses stand out in the overview; claims and questions stay quieter. */
const MINIMAP_COLOUR: Record<ClaimKind, string> = { thesis: '#0072B2', claim: '#9CA3AF', question: '#E69F00' };
/** One function for the page's lifetime: a new one would re-render every minimap node (2,000 on a big map). */
const minimapColour = (n: Node) => MINIMAP_COLOUR[(n.data as { kind?: ClaimKind }).kind ?? 'claim'];
const edgeTypes = { undercut: UndercutEdge };

/** Colour-blind-safe pair (blue / vermillion) plus a dash, so the two never rely on hue alone. */
export const RELATION_STYLE: Record<RelationKind, { stroke: string; dash?: string; label: string }> = {
  supports: { stroke: '#0072B2', label: 'supports' },
  attacks: { stroke: '#D55E00', dash: '6 4', label: 'attacks' },
  undercuts: { stroke: '#CC79A7', dash: '2 4', label: 'undercuts' },
};

/** Drag moves are sent at most this often; the final position is always sent on drop. */
const DRAG_SEND_MS = 80;

/** Used when the access API gives no answer (an error): the server still checks every write. */
const FALLBACK_USER = { name: 'Guest', colour: '#6B7280' };

const AUTO_LAYOUT_TIP =
  'Arrange the map top-down. Selected claims stay where they are (pinned) and the rest is arranged around them; with nothing selected, the whole map is arranged from its top-left corner. One undo step.';

interface CanvasProps {
  debateId: string;
  title: string;
  /**
   * Changes when a debate is recreated under the same id (its creation time): names the
   * browser's offline copy, so a copy of a deleted debate never merges into its successor.
   */
  epoch?: string;
}

function Canvas({ debateId, title, epoch }: CanvasProps) {
  const { doc, provider, status, synced, saving, fatal, rejected, repaired, invalidUpdate } = useDebateDoc(debateId);
  const fullGraph = useGraph(doc);
  const flow = useReactFlow();
  const flowStore = useStoreApi<ClaimFlowNode>();
  const access = useDebateAccess(debateId);
  const moderates = access.allows('claim.hide');
  const hidden = useQuery(hiddenClaimsQuery(debateId));
  // Readers never see what moderators hid (nor the relations that hang on it); moderators see it marked, to restore it.
  const graph = useMemo(
    () => (moderates || !hidden.data ? fullGraph : withoutClaims(fullGraph, hidden.data)),
    [fullGraph, moderates, hidden.data],
  );
  const qcl = useQueryClient();
  const toggleHidden = useMutation({
    mutationFn: ({ id, hide }: { id: string; hide: boolean }) => setHidden(debateId, id, hide),
    onSettled: () => qcl.invalidateQueries({ queryKey: hiddenClaimsQuery(debateId).queryKey }),
    onError: (e) => setNotice(e.message),
  });
  const strength = useStrengthView(debateId, doc, access);
  // Unknown access (the API failed): behave as an editor named Guest; the server still refuses
  // what the caller may not do. While loading, nothing is editable but no banner shows either.
  const accessFailed = !access.access && !access.isPending;
  const canEdit = accessFailed || access.allows('map.edit');
  const canComment = accessFailed || access.allows('comment.add');
  const viewOnly = !!access.access && !canEdit;
  const presenceUser = useMemo(
    () => (access.presence ? { name: access.presence.name, colour: access.presence.colour } : FALLBACK_USER),
    [access.presence],
  );
  const offline = useOfflineDoc(doc, debateId, epoch);
  useConnectWhenLoaded(provider, offline.loaded);
  const local = useLocalSync(doc, provider);
  const undo = useUndo(doc);
  const presence = usePresence(provider, presenceUser);
  const follow = useFollow(presence);
  const remoteSel = useRemoteSelections(presence);
  const openComments = useOpenCommentCounts(doc);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const [sizes, setSizes] = useState<Map<string, { width: number; height: number }>>(new Map());
  const [mode, setMode] = useState<'supports' | 'attacks'>('supports');
  const author = presenceUser.name;
  const [view, setView] = useState<'map' | 'outline'>('map');
  const [editRequest, setEditRequest] = useState<{ id: string; n: number } | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [menu, setMenu] = useState<{ x: number; y: number; target: ContextMenuTarget } | null>(null);
  const [commentsFor, setCommentsFor] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(''), 5000);
    return () => clearTimeout(t);
  }, [notice]);
  useEffect(() => presence?.setSelection(selected), [presence, selected]);
  useEffect(() => {
    if (repaired) setNotice(`Adjusted by the server: ${repaired.detail}`);
  }, [repaired]);
  const [sidebarTab, setSidebarTab] = useState<SidebarTab>('evidence');
  const [sourceFocus, setSourceFocus] = useState<string | null>(null);
  const live = useLiveEvents(debateId);
  const summary = useQuery(evidenceSummaryQuery(debateId));
  const highlighted = useMemo(() => new Set(sourceFocus ? (summary.data?.sources[sourceFocus] ?? []) : []), [sourceFocus, summary.data]);

  // Fit the map once, when the first synced content arrives (the doc starts empty).
  const fitted = useRef(false);
  useEffect(() => {
    if (fitted.current || !synced || graph.claims.length === 0) return;
    fitted.current = true;
    requestAnimationFrame(() => fitClaims(flowStore.getState(), flow));
  }, [synced, graph.claims.length, flow, flowStore]);

  const commands = useCanvasCommands({
    doc,
    graph,
    selected,
    selectedEdges,
    setSelected,
    setSelectedEdges,
    author,
    readOnly: !canEdit,
    undo: undo.undo,
    redo: undo.redo,
    onEdit: (id) => setEditRequest((r) => ({ id, n: (r?.n ?? 0) + 1 })),
    onToggleHelp: () => setHelpOpen((o) => !o),
    onEscape: () => {
      if (menu) {
        setMenu(null);
        return true;
      }
      if (commentsFor) {
        setCommentsFor(null);
        return true;
      }
      return false;
    },
    onFocusSearch: () => document.querySelector<HTMLInputElement>('.canvas-search input[type="search"]')?.focus(),
    onNotice: setNotice,
  });
  useShortcuts(commands);

  const onCommitText = useCallback(
    (id: string, text: string) => {
      if (doc && canEdit) setClaimText(doc, id, text, LOCAL_ORIGIN);
    },
    [doc, canEdit],
  );

  const nodes = useClaimNodes({
    claims: graph.claims,
    sizes,
    selected,
    evidence: summary.data?.claims,
    highlighted,
    editRequest,
    remoteSelectors: remoteSel,
    openComments,
    hiddenFromReaders: moderates ? (hidden.data ?? null) : null,
    strength: strength.node,
    readOnly: !canEdit,
    onCommitText,
    onOpenComments: setCommentsFor,
  });

  const freshEdges: Edge[] = useMemo(() => {
    const byId = new Map(graph.relations.map((r) => [r.id, r]));
    // Co-premise groups: relations sharing a non-empty group and a target form one linked argument.
    const groupSize = new Map<string, number>();
    for (const r of graph.relations)
      if (r.group) groupSize.set(`${r.to}\u0000${r.group}`, (groupSize.get(`${r.to}\u0000${r.group}`) ?? 0) + 1);
    const out: Edge[] = [];
    for (const r of graph.relations) {
      const s = RELATION_STYLE[r.kind];
      let target = r.to;
      let chain: UndercutChain | undefined;
      if (r.kind === 'undercuts') {
        // React Flow needs a node at each end: the edge is attached to the conclusion of the
        // relation whose inference it attacks, and UndercutEdge draws it to the middle of that
        // relation's line instead. Undercuts of undercuts follow the chain.
        chain = undercutChain(r.to, byId) ?? undefined;
        if (!chain) continue;
        target = chain.to;
      }
      const grouped = r.group ? (groupSize.get(`${r.to}\u0000${r.group}`) ?? 0) : 0;
      const impact = strength.tally('relation', r.id);
      const label =
        (grouped > 0 ? `${s.label} · linked (${r.group})` : s.label) + (impact ? ` · impact ${fixed1(impact.mean)} (${impact.count})` : '');
      out.push({
        id: r.id,
        source: r.from,
        target,
        selected: selectedEdges.has(r.id),
        label,
        ariaLabel: r.kind === 'undercuts' ? `undercuts the inference of relation ${r.to}` : undefined,
        data: { kind: r.kind, group: r.group || undefined, undercuts: r.kind === 'undercuts' ? r.to : undefined, chain },
        className: `edge-${r.kind}${grouped > 0 ? ' edge-grouped' : ''}`,
        // Straight lines: the seeded layout keeps them clear of other claims; curves would not be.
        type: chain ? 'undercut' : 'straight',
        // Impact votes set the width (encoding.ts impactStrokeWidth); unrated linked groups stay a little heavier.
        style: {
          stroke: s.stroke,
          strokeWidth: impact ? impactStrokeWidth(impact.count, impact.mean) : grouped > 1 ? 3 : 2,
          strokeDasharray: s.dash,
        },
        labelStyle: { fill: s.stroke, fontWeight: 600 },
        markerEnd: { type: MarkerType.ArrowClosed, color: s.stroke },
      });
    }
    return out;
  }, [graph.relations, selectedEdges, strength.tally]);
  // Unchanged edges keep their objects: React Flow skips them.
  const edges = useStableList(freshEdges);

  const onNodesChange = useCallback(
    (changes: NodeChange<ClaimFlowNode>[]) => {
      if (!doc) return;
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
      const measured = changes.filter((ch) => ch.type === 'dimensions' && ch.dimensions);
      if (measured.length > 0)
        setSizes((prev) => {
          let next = prev;
          for (const ch of measured) {
            if (ch.type !== 'dimensions' || !ch.dimensions) continue;
            const old = prev.get(ch.id);
            if (old && old.width === ch.dimensions.width && old.height === ch.dimensions.height) continue;
            if (next === prev) next = new Map(prev);
            next.set(ch.id, ch.dimensions);
          }
          return next;
        });
      // Moves are FlowPane's; removals go through commands.deleteSelection (deleteKeyCode is null).
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
      if (removed.length > 0 && canEdit) deleteRelations(doc, removed, LOCAL_ORIGIN);
    },
    [doc, canEdit],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!doc || !canEdit || !c.source || !c.target || c.source === c.target) return;
      addRelation(doc, { from: c.source, to: c.target, kind: mode, author }, LOCAL_ORIGIN);
    },
    [doc, mode, author, canEdit],
  );

  const selectedClaim = useMemo(() => {
    if (selected.size !== 1) return null;
    const [id] = selected;
    const c = graph.claims.find((x) => x.id === id);
    return c ? { id: c.id, text: c.text } : null;
  }, [selected, graph.claims]);

  const focusClaim = (id: string) => {
    setSelected(new Set([id]));
    setSelectedEdges(new Set());
    setSidebarTab('evidence');
    fitClaims(flowStore.getState(), flow, { ids: [id], duration: 400, padding: 0.6, maxZoom: 1.2 });
  };
  const selectedRelationId = selected.size === 0 && selectedEdges.size === 1 ? [...selectedEdges][0]! : null;
  /** Selects one claim, or several (the cruxes), and fits them into view. */
  const focusClaims = (ids: string[]) => {
    setSelected(new Set(ids));
    setSelectedEdges(new Set());
    fitClaims(flowStore.getState(), flow, { ids, duration: 400, padding: ids.length > 1 ? 0.3 : 0.6, maxZoom: 1.2 });
  };
  const focusSource = (id: string | null) => {
    setSourceFocus(id);
    if (id) setSidebarTab('sources');
  };

  const sync = describeSync({
    status,
    synced,
    saving,
    fatal,
    rejected,
    persisted: offline.persisted,
    unsent: local.unsent,
    wasConnected: local.wasConnected,
  });
  const commentClaim = commentsFor ? graph.claims.find((x) => x.id === commentsFor) : undefined;
  const reloadFromServer = async () => {
    await offline.clear();
    location.reload();
  };

  return (
    <div className="canvas-page" data-readonly={canEdit ? undefined : 'yes'}>
      <header className="toolbar" role="toolbar" aria-label="Map tools">
        <a href="/" className="home-link">
          ← Crux
        </a>
        <h1 className="debate-title">{title}</h1>
        <PhaseControl debateId={debateId} access={access} semantics={strength.semantics} thesis={strength.strength?.thesis} />
        {canEdit && (
          <>
            <button
              type="button"
              onClick={() => commands.newClaim()}
              disabled={!doc || !(synced || local.wasConnected)}
              data-testid="add-claim"
            >
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
            <button
              type="button"
              onClick={() => commands.deleteSelection()}
              disabled={selected.size + selectedEdges.size === 0}
              data-testid="delete-selection"
            >
              Delete
            </button>
            <button
              type="button"
              onClick={() => commands.undo()}
              disabled={!undo.canUndo}
              aria-keyshortcuts="Control+Z"
              title="Undo your last change (Ctrl+Z)"
              data-testid="undo"
            >
              Undo
            </button>
            <button
              type="button"
              onClick={() => commands.redo()}
              disabled={!undo.canRedo}
              aria-keyshortcuts="Control+Shift+Z"
              title="Redo (Ctrl+Shift+Z)"
              data-testid="redo"
            >
              Redo
            </button>
            <button
              type="button"
              onClick={() => commands.autoLayout()}
              disabled={!doc || graph.claims.length === 0}
              title={AUTO_LAYOUT_TIP}
              data-testid="auto-layout"
            >
              Arrange
            </button>
          </>
        )}
        <button type="button" onClick={() => commands.zoomToFit()} title="Zoom to fit (F)" data-testid="zoom-to-fit">
          Fit
        </button>
        <button
          type="button"
          aria-pressed={view === 'outline'}
          onClick={() => setView((v) => (v === 'map' ? 'outline' : 'map'))}
          title="Show the map as an outline; the selection is shared"
          data-testid="toggle-outline"
        >
          Outline
        </button>
        <ExportMenu debateId={debateId} title={title} graph={graph} strength={strength} canBackup={access.allows('debate.backup')} />
        <button type="button" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          ?
        </button>
        <CanvasSearch debateId={debateId} onPickClaim={focusClaim} onPickSource={focusSource} />
        <WhoIsHere presence={presence} follow={follow} />
        <span
          className={`status ${STATUS_CLASS[sync.phase]}`}
          data-testid="connection-status"
          data-synced={synced ? 'yes' : 'no'}
          data-saved={sync.saved ? 'yes' : 'no'}
          data-phase={sync.phase}
          role="status"
        >
          {sync.text}
        </span>
      </header>
      <PhaseBanner debateId={debateId} access={access} thesisText={(id) => graph.claims.find((c) => c.id === id)?.text ?? ''} />
      {viewOnly && access.access?.access.phase === 'open' && (
        <div className="banner banner-readonly" role="note" data-testid="readonly-banner">
          You can view this debate but not edit it
        </div>
      )}
      {invalidUpdate && !rejected && (
        <div className="banner banner-fatal" role="alert" data-testid="invalid-update-banner">
          The server refused a change from this browser and closed the connection; it will not reconnect on its own. Your browser&apos;s
          copy still holds the refused change.{' '}
          <button type="button" onClick={() => void reloadFromServer()}>
            Reload from the server
          </button>
        </div>
      )}
      {rejected && (
        <div className="banner banner-fatal" role="alert">
          The server refused a change ({rejected}). Your browser&apos;s copy contains it, so it would be sent again.{' '}
          <button type="button" onClick={() => void reloadFromServer()}>
            Reload from the server
          </button>
        </div>
      )}
      <div className="canvas-body">
        <div className="flow">
          <FlowPane
            doc={doc}
            canEdit={canEdit}
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            minZoom={0.1}
            // Delete/Backspace go through commands (LOCAL_ORIGIN, undoable); React Flow's own delete would bypass undo.
            deleteKeyCode={null}
            nodesDraggable={canEdit}
            nodesConnectable={canEdit}
            edgesReconnectable={false}
            onNodeDragStart={() => undo.stopCapturing()}
            onMoveStart={follow.onMoveStart}
            onNodeContextMenu={(e, n) => {
              e.preventDefault();
              setSelected(new Set([n.id]));
              setMenu({ x: e.clientX, y: e.clientY, target: { type: 'node', id: n.id } });
            }}
            onEdgeContextMenu={(e, edge) => {
              e.preventDefault();
              setSelected(new Set());
              setSelectedEdges(new Set([edge.id]));
              setMenu({ x: e.clientX, y: e.clientY, target: { type: 'edge', id: edge.id } });
            }}
            onPaneContextMenu={(e) => {
              e.preventDefault();
              setMenu({
                x: e.clientX,
                y: e.clientY,
                target: { type: 'pane', at: flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }) },
              });
            }}
            onlyRenderVisibleElements
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
            <MiniMap pannable zoomable nodeColor={minimapColour} nodeStrokeWidth={2} ariaLabel="Overview of the whole map" />
            <PresenceLayer presence={presence} />
          </FlowPane>
        </div>
        {view === 'outline' && (
          <div className="outline-panel">
            <OutlineView
              doc={doc}
              graph={graph}
              selection={selected}
              onSelect={(ids) => setSelected(new Set(ids))}
              readOnly={!canEdit}
              author={author}
              strength={strength.node}
            />
          </div>
        )}
        {commentClaim ? (
          <CommentsPanel
            doc={doc}
            claimId={commentClaim.id}
            claimText={commentClaim.text}
            author={author}
            readOnly={!canComment}
            onClose={() => setCommentsFor(null)}
          />
        ) : (
          <EvidenceSidebar
            debateId={debateId}
            claim={selectedClaim}
            tab={sidebarTab}
            onTab={setSidebarTab}
            selectedSourceId={sourceFocus}
            onSelectSource={focusSource}
            live={live}
            strength={{
              view: strength,
              access,
              graph,
              claimId: selectedClaim?.id ?? null,
              relationId: selectedRelationId,
              onFocusClaims: focusClaims,
            }}
          />
        )}
      </div>
      {menu && (
        <ContextMenu
          {...menu}
          commands={commands}
          canUndo={undo.canUndo}
          canRedo={undo.canRedo}
          onClose={() => setMenu(null)}
          onOpenComments={setCommentsFor}
          moderation={
            moderates ? { hidden: (id) => !!hidden.data?.has(id), toggle: (id, hide) => toggleHidden.mutate({ id, hide }) } : undefined
          }
        />
      )}
      <HelpOverlay open={helpOpen} onClose={() => setHelpOpen(false)} />
      <span role="status" aria-live="polite" className="canvas-notice" data-testid="canvas-notice">
        {notice}
      </span>
    </div>
  );
}

type FlowPaneProps = ReactFlowProps<ClaimFlowNode, Edge> & {
  doc: Y.Doc | null;
  canEdit: boolean;
  nodes: ClaimFlowNode[];
};

const NOT_DRAGGING: ReadonlyMap<string, XYPosition> = new Map();

/**
 * The React Flow pane. It owns the positions of the claims being dragged, so that a pointer move
 * re-renders this pane and the dragged node only, not the page around it (toolbar, sidebar, the
 * node list of the whole map). The document hears of a drag at most every DRAG_SEND_MS, and of
 * where it ended.
 */
function FlowPane({ doc, canEdit, nodes, onNodesChange, ...props }: FlowPaneProps) {
  const [dragging, setDragging] = useState(NOT_DRAGGING);
  // The latest dragged positions, for the handler (the state is a copy taken per change).
  const drag = useRef(new Map<string, XYPosition>());
  const lastSent = useRef(new Map<string, number>());
  // A dropped claim keeps its dragged position until the document's new position reaches `nodes`
  // (next frame), so that it does not flick back to the last position sent in between.
  const dropped = useRef(new Set<string>());
  useEffect(() => {
    if (dropped.current.size === 0) return;
    for (const id of dropped.current) drag.current.delete(id);
    dropped.current.clear();
    setDragging(drag.current.size === 0 ? NOT_DRAGGING : new Map(drag.current));
  }, [nodes]);
  const shown = useMemo(() => {
    if (dragging.size === 0) return nodes;
    return nodes.map((n) => {
      const position = dragging.get(n.id);
      return position ? { ...n, position } : n;
    });
  }, [nodes, dragging]);
  const onChange = useCallback(
    (changes: NodeChange<ClaimFlowNode>[]) => {
      onNodesChange?.(changes);
      if (!doc || !canEdit) return;
      let moved = false;
      for (const ch of changes) {
        if (ch.type !== 'position') continue;
        if (ch.dragging && ch.position) {
          const pos = ch.position;
          drag.current.set(ch.id, pos);
          dropped.current.delete(ch.id);
          moved = true;
          const now = performance.now();
          if (now - (lastSent.current.get(ch.id) ?? 0) >= DRAG_SEND_MS) {
            lastSent.current.set(ch.id, now);
            updateClaim(doc, ch.id, { x: Math.round(pos.x), y: Math.round(pos.y) }, LOCAL_ORIGIN);
          }
        } else if (ch.dragging === false) {
          const end = ch.position ?? drag.current.get(ch.id);
          lastSent.current.delete(ch.id);
          if (!end) continue;
          updateClaim(doc, ch.id, { x: Math.round(end.x), y: Math.round(end.y) }, LOCAL_ORIGIN);
          drag.current.set(ch.id, end);
          dropped.current.add(ch.id);
          moved = true;
        }
      }
      if (moved) setDragging(new Map(drag.current));
    },
    [doc, canEdit, onNodesChange],
  );
  return <ReactFlow nodes={shown} onNodesChange={onChange} {...props} />;
}

export function DebateCanvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
