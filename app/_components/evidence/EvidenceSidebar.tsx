'use client';

import './evidence.css';
import { ClaimEvidencePanel } from './ClaimEvidencePanel';
import { SourcesPanel } from './SourcesPanel';
import { CruxPanel, StrengthPanel, type StrengthPanelProps } from '../strength/StrengthPanel';

export type SidebarTab = 'evidence' | 'sources' | 'strength' | 'cruxes';

/** The panel beside the canvas: the selected claim's evidence, or the debate's sources. */
export function EvidenceSidebar({
  debateId,
  claim,
  tab,
  onTab,
  selectedSourceId,
  onSelectSource,
  live,
  strength,
}: {
  debateId: string;
  claim: { id: string; text: string } | null;
  tab: SidebarTab;
  onTab: (t: SidebarTab) => void;
  selectedSourceId: string | null;
  onSelectSource: (id: string | null) => void;
  /** Whether live updates are flowing (shown, and used by tests to know when to act). */
  live: 'connecting' | 'open';
  /** The Strength and Cruxes tabs; without it they are not offered. */
  strength?: StrengthPanelProps;
}) {
  return (
    <aside className="evidence-sidebar" aria-label="Evidence and sources" data-testid="evidence-sidebar" data-live={live}>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'evidence'} onClick={() => onTab('evidence')} data-testid="tab-evidence">
          Claim evidence
        </button>
        <button type="button" role="tab" aria-selected={tab === 'sources'} onClick={() => onTab('sources')} data-testid="tab-sources">
          Sources
        </button>
        {strength && (
          <>
            <button
              type="button"
              role="tab"
              aria-selected={tab === 'strength'}
              onClick={() => onTab('strength')}
              data-testid="tab-strength"
            >
              Strength
            </button>
            <button type="button" role="tab" aria-selected={tab === 'cruxes'} onClick={() => onTab('cruxes')} data-testid="tab-cruxes">
              Cruxes
            </button>
          </>
        )}
        <span className={`live-dot live-${live}`} title={live === 'open' ? 'Live updates on' : 'Connecting live updates…'} />
      </div>
      <div className="tab-body" role="tabpanel">
        {tab === 'evidence' ? (
          <ClaimEvidencePanel debateId={debateId} claim={claim} />
        ) : tab === 'strength' && strength ? (
          <StrengthPanel {...strength} />
        ) : tab === 'cruxes' && strength ? (
          <CruxPanel {...strength} />
        ) : (
          <SourcesPanel debateId={debateId} selectedSourceId={selectedSourceId} onSelectSource={onSelectSource} />
        )}
      </div>
    </aside>
  );
}
