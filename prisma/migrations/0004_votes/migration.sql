-- Agreement votes on claims and impact votes on relations ([strength]).

CREATE TABLE "Vote" (
    "id" TEXT NOT NULL,
    "debateId" TEXT NOT NULL,
    "targetKind" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "userKey" TEXT NOT NULL,
    "value" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Vote_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Vote_value_check" CHECK ("value" BETWEEN 0 AND 4),
    CONSTRAINT "Vote_targetKind_check" CHECK ("targetKind" IN ('claim', 'relation')),
    CONSTRAINT "Vote_debateId_fkey" FOREIGN KEY ("debateId") REFERENCES "Debate"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- One vote per person and target; its leading debateId also serves every per-debate read.
CREATE UNIQUE INDEX "Vote_debateId_targetKind_targetId_userKey_key" ON "Vote"("debateId", "targetKind", "targetId", "userKey");
