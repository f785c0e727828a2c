'use client';

import './evidence.css';
import { ClaimEvidencePanel } from './ClaimEvidencePanel';
import { SourcesPanel } from './SourcesPanel';

export type SidebarTab = 'evidence' | 'sources';

/** The panel beside the canvas: the selected claim's evidence, or the debate's sources. */
export function EvidenceSidebar({
  debateId,
  claim,
  tab,
  onTab,
  selectedSourceId,
  onSelectSource,
  live,
}: {
  debateId: string;
  claim: { id: string; text: string } | null;
  tab: SidebarTab;
  onTab: (t: SidebarTab) => void;
  selectedSourceId: string | null;
  onSelectSource: (id: string | null) => void;
  /** Whether live updates are flowing (shown, and used by tests to know when to act). */
  live: 'connecting' | 'open';
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
        <span className={`live-dot live-${live}`} title={live === 'open' ? 'Live updates on' : 'Connecting live updates…'} />
      </div>
      <div className="tab-body" role="tabpanel">
        {tab === 'evidence' ? (
          <ClaimEvidencePanel debateId={debateId} claim={claim} />
        ) : (
          <SourcesPanel debateId={debateId} selectedSourceId={selectedSourceId} onSelectSource={onSelectSource} />
        )}
      </div>
    </aside>
  );
}
