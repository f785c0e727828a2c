'use client';

import { memo, useCallback } from 'react';
import { BaseEdge, getStraightPath, useStore, type Edge, type EdgeProps, type InternalNode, type ReactFlowState } from '@xyflow/react';
import type { UndercutChain } from '@/lib/model/graph';

export type UndercutEdgeData = { kind: 'undercuts'; undercuts: string; chain: UndercutChain };
export type UndercutFlowEdge = Edge<UndercutEdgeData, 'undercut'>;

type Point = { x: number; y: number };

/**
 * Edges leave a claim at its top centre and enter one at its bottom centre (ClaimNode's handles).
 * A claim never on screen has no measured size (visible-only rendering): its initial size stands in.
 */
function handle(node: InternalNode | undefined, side: 'top' | 'bottom'): Point | null {
  if (!node) return null;
  const { x, y } = node.internals.positionAbsolute;
  const w = node.measured.width ?? node.width ?? node.initialWidth ?? 0;
  const h = node.measured.height ?? node.height ?? node.initialHeight ?? 0;
  return { x: x + w / 2, y: side === 'top' ? y : y + h };
}

/** The midpoint of the attacked relation's line, following undercuts of undercuts inwards. */
export function undercutAnchor(chain: UndercutChain, lookup: ReactFlowState['nodeLookup']): Point | null {
  let end = handle(lookup.get(chain.to), 'bottom');
  for (let i = chain.froms.length - 1; i >= 0 && end; i--) {
    const start = handle(lookup.get(chain.froms[i]!), 'top');
    end = start ? { x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 } : null;
  }
  return end;
}

const samePoint = (a: Point | null, b: Point | null) => a === b || (!!a && !!b && a.x === b.x && a.y === b.y);

/**
 * An undercut drawn edge-to-edge: from its claim to the middle of the relation it attacks, with
 * a bar across the attacked line so that it does not read as an attack on the conclusion.
 */
function UndercutEdgeView({
  id,
  sourceX,
  sourceY,
  data,
  style,
  markerEnd,
  label,
  labelStyle,
  interactionWidth,
}: EdgeProps<UndercutFlowEdge>) {
  const chain = data?.chain;
  const anchor = useStore(
    useCallback((s: ReactFlowState) => (chain ? undercutAnchor(chain, s.nodeLookup) : null), [chain]),
    samePoint,
  );
  if (!anchor) return null;
  const [path, labelX, labelY] = getStraightPath({ sourceX, sourceY, targetX: anchor.x, targetY: anchor.y });
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        style={style}
        markerEnd={markerEnd}
        label={label}
        labelX={labelX}
        labelY={labelY}
        labelStyle={labelStyle}
        interactionWidth={interactionWidth}
      />
      <circle
        cx={anchor.x}
        cy={anchor.y}
        r={5}
        className="undercut-anchor"
        fill="white"
        stroke={typeof style?.stroke === 'string' ? style.stroke : undefined}
        strokeWidth={2}
        data-testid="undercut-anchor"
      />
    </>
  );
}

export const UndercutEdge = memo(UndercutEdgeView);
