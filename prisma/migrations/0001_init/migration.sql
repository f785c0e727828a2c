-- Debates and the Yjs document store (append-only update log + compacted snapshot).
CREATE TABLE "Debate" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Debate_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DocUpdate" (
    "id" BIGSERIAL NOT NULL,
    "debateId" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DocUpdate_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "DocUpdate_debateId_fkey" FOREIGN KEY ("debateId") REFERENCES "Debate"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "DocUpdate_debateId_id_idx" ON "DocUpdate"("debateId", "id");

CREATE TABLE "DocSnapshot" (
    "debateId" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "updatesFolded" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DocSnapshot_pkey" PRIMARY KEY ("debateId"),
    CONSTRAINT "DocSnapshot_debateId_fkey" FOREIGN KEY ("debateId") REFERENCES "Debate"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
