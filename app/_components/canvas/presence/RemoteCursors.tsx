'use client';

import { memo, useEffect } from 'react';
import { ViewportPortal, useOnViewportChange, useReactFlow, useStore, useStoreApi } from '@xyflow/react';
import type { PresenceStore } from './presenceStore';
import { usePeers } from './usePresence';

/**
 * Everything presence draws or reports from inside <ReactFlow>: publishes this tab's pointer and
 * viewport, and draws the others' pointers. Render it as a child of <ReactFlow>.
 */
export function PresenceLayer({ presence }: { presence: PresenceStore | null }) {
  return (
    <>
      <PresenceTracker presence={presence} />
      <RemoteCursors presence={presence} />
    </>
  );
}

/** Publishes the local pointer (in flow coordinates) and viewport. Renders nothing. */
export function PresenceTracker({ presence }: { presence: PresenceStore | null }) {
  const flow = useReactFlow();
  const api = useStoreApi();
  const domNode = useStore((s) => s.domNode);

  useOnViewportChange({
    onChange: (v) => {
      const { width, height } = api.getState();
      presence?.setViewport({ ...v, width, height });
    },
  });

  useEffect(() => {
    if (!presence || !domNode) return;
    const { transform, width, height } = api.getState();
    presence.setViewport({ x: transform[0], y: transform[1], zoom: transform[2], width, height });
    const move = (e: PointerEvent) => presence.setCursor(flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }, { snapToGrid: false }));
    const leave = () => presence.setCursor(null);
    domNode.addEventListener('pointermove', move, { passive: true });
    domNode.addEventListener('pointerleave', leave);
    return () => {
      domNode.removeEventListener('pointermove', move);
      domNode.removeEventListener('pointerleave', leave);
      presence.setCursor(null);
    };
  }, [presence, domNode, flow, api]);

  return null;
}

/**
 * The other participants' pointers, each an arrow in their colour with their name. Drawn in the
 * viewport's coordinate system (ViewportPortal), so a pointer stays on the claim it points at
 * while the local user pans and zooms; the arrow is scaled by 1/zoom to keep a constant size.
 * Hidden from assistive technology: <WhoIsHere/> is the accessible list of who is here.
 */
export function RemoteCursors({ presence }: { presence: PresenceStore | null }) {
  const peers = usePeers(presence);
  const zoom = useStore((s) => s.transform[2]);
  return (
    <ViewportPortal>
      <div aria-hidden="true" style={{ position: 'absolute', left: 0, top: 0, pointerEvents: 'none', zIndex: 1000 }}>
        {peers.map((p) =>
          p.cursor ? (
            <Cursor
              key={p.clientId}
              clientId={p.clientId}
              x={p.cursor.x}
              y={p.cursor.y}
              scale={1 / zoom}
              name={p.user.name}
              colour={p.user.colour}
            />
          ) : null,
        )}
      </div>
    </ViewportPortal>
  );
}

const Cursor = memo(function Cursor(props: { clientId: number; x: number; y: number; scale: number; name: string; colour: string }) {
  return (
    <div
      data-testid="remote-cursor"
      data-client-id={props.clientId}
      style={{
        position: 'absolute',
        transform: `translate(${props.x}px, ${props.y}px) scale(${props.scale})`,
        transformOrigin: '0 0',
        // Smooths the ~30 Hz updates into motion.
        transition: 'transform 60ms linear',
      }}
    >
      <svg width="18" height="22" viewBox="0 0 18 22" style={{ display: 'block' }}>
        <path
          d="M1 1 L1 18 L5.5 13.5 L9 21 L12 19.6 L8.6 12.4 L15 12.4 Z"
          fill={props.colour}
          stroke="#fff"
          strokeWidth="1.5"
          strokeLinejoin="round"
        />
      </svg>
      <span
        style={{
          position: 'absolute',
          left: 14,
          top: 18,
          background: props.colour,
          color: '#fff',
          fontSize: 12,
          lineHeight: '16px',
          padding: '1px 6px',
          borderRadius: 4,
          whiteSpace: 'nowrap',
          maxWidth: 180,
          overflow: 'hidden',
          textOverflow: 'ellipsis',
        }}
      >
        {props.name}
      </span>
    </div>
  );
});
