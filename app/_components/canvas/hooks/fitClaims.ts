'use client';

import { getViewportForBounds, type ReactFlowInstance, type ReactFlowState } from '@xyflow/react';

export interface FitClaimsOptions {
  /** The claims to show; all of them when absent. */
  ids?: Iterable<string>;
  /** Where claims are about to be (a layout just written), over where React Flow has them now. */
  positions?: ReadonlyMap<string, { x: number; y: number }>;
  padding?: number;
  maxZoom?: number;
  duration?: number;
}

/**
 * Fits claims into the view. React Flow's fitView counts only claims it has measured, and with
 * visible-only rendering most of a big map never is: it would fit whatever happened to be on
 * screen, and it waits for a measurement that may not come. Here a claim never rendered counts
 * with its initial size, and the view moves at once.
 */
export function fitClaims(
  state: Pick<ReactFlowState, 'nodeLookup' | 'width' | 'height' | 'minZoom' | 'maxZoom'>,
  flow: Pick<ReactFlowInstance, 'setViewport'>,
  { ids, positions, padding = 0.1, maxZoom, duration }: FitClaimsOptions = {},
): boolean {
  const { nodeLookup, width, height } = state;
  if (!width || !height) return false;
  const only = ids ? new Set(ids) : null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodeLookup.values()) {
    if (only && !only.has(n.id)) continue;
    const { x, y } = positions?.get(n.id) ?? n.internals.positionAbsolute;
    const w = n.measured.width ?? n.width ?? n.initialWidth ?? 0;
    const h = n.measured.height ?? n.height ?? n.initialHeight ?? 0;
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + w);
    y1 = Math.max(y1, y + h);
  }
  if (x0 === Infinity) return false;
  const viewport = getViewportForBounds(
    { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    width,
    height,
    state.minZoom,
    maxZoom ?? state.maxZoom,
    padding,
  );
  void flow.setViewport(viewport, { duration });
  return true;
}
