-- Debate phases and the standing recorded when a debate closes ([strength] 6).

-- Existing debates stay open: every edit and vote they allowed before is still allowed.
ALTER TABLE "Debate"
    ADD COLUMN "phase" TEXT NOT NULL DEFAULT 'open',
    ADD CONSTRAINT "Debate_phase_check" CHECK ("phase" IN ('open', 'voting', 'closed'));

-- One row per closing: re-opening and closing again records another, so earlier results stay.
CREATE TABLE "DebateStanding" (
    "id" TEXT NOT NULL,
    "debateId" TEXT NOT NULL,
    "closedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedById" TEXT,
    "closedByName" TEXT NOT NULL,
    "semantics" TEXT NOT NULL,
    "thesis" JSONB,
    "scores" JSONB NOT NULL,
    "voteCount" INTEGER NOT NULL,
    CONSTRAINT "DebateStanding_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "DebateStanding_semantics_check" CHECK ("semantics" IN ('dfquad', 'quadratic-energy')),
    CONSTRAINT "DebateStanding_voteCount_check" CHECK ("voteCount" >= 0),
    CONSTRAINT "DebateStanding_debateId_fkey" FOREIGN KEY ("debateId") REFERENCES "Debate"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    -- The closer's account may be deleted later; the standing keeps their name.
    CONSTRAINT "DebateStanding_closedById_fkey" FOREIGN KEY ("closedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "DebateStanding_debateId_closedAt_idx" ON "DebateStanding"("debateId", "closedAt");
