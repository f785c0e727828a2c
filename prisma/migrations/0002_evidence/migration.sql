-- Sources, evidence, source credibility and the claim projection ([evidence]).

CREATE TYPE "SourceKind" AS ENUM ('paper', 'blog', 'news', 'dataset', 'talk', 'book', 'other');
CREATE TYPE "EvidenceStance" AS ENUM ('supports', 'contradicts', 'context');

-- The SQL copy of each debate's claims, kept in step with the Yjs document; rows are flagged
-- deleted, never removed, so evidence and votes keep their claim across delete and undo.
CREATE TABLE "DebateClaim" (
    "debateId" TEXT NOT NULL,
    "claimId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DebateClaim_pkey" PRIMARY KEY ("debateId", "claimId"),
    CONSTRAINT "DebateClaim_debateId_fkey" FOREIGN KEY ("debateId") REFERENCES "Debate"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "Source" (
    "id" TEXT NOT NULL,
    "debateId" TEXT NOT NULL,
    "url" TEXT,
    "title" TEXT NOT NULL,
    "authors" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "publisher" TEXT NOT NULL DEFAULT '',
    "publishedAt" DATE,
    "kind" "SourceKind" NOT NULL DEFAULT 'other',
    "notes" TEXT NOT NULL DEFAULT '',
    "addedBy" TEXT NOT NULL,
    "addedByName" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Source_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Source_debateId_fkey" FOREIGN KEY ("debateId") REFERENCES "Debate"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- NULL urls are distinct, so any number of link-less sources coexist.
CREATE UNIQUE INDEX "Source_debateId_url_key" ON "Source"("debateId", "url");
CREATE INDEX "Source_debateId_createdAt_idx" ON "Source"("debateId", "createdAt");

CREATE TABLE "Evidence" (
    "id" TEXT NOT NULL,
    "debateId" TEXT NOT NULL,
    "claimId" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "stance" "EvidenceStance" NOT NULL,
    "quote" TEXT NOT NULL,
    "locator" TEXT NOT NULL DEFAULT '',
    "note" TEXT NOT NULL DEFAULT '',
    "addedBy" TEXT NOT NULL,
    "addedByName" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Evidence_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Evidence_quote_check" CHECK (char_length(btrim("quote")) BETWEEN 1 AND 2000),
    CONSTRAINT "Evidence_debateId_claimId_fkey" FOREIGN KEY ("debateId", "claimId") REFERENCES "DebateClaim"("debateId", "claimId") ON DELETE CASCADE ON UPDATE CASCADE,
    -- NO ACTION, not RESTRICT: deleting a debate cascades to both tables in one statement.
    CONSTRAINT "Evidence_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE NO ACTION ON UPDATE CASCADE
);
CREATE INDEX "Evidence_debateId_claimId_idx" ON "Evidence"("debateId", "claimId");
CREATE INDEX "Evidence_sourceId_idx" ON "Evidence"("sourceId");

CREATE TABLE "SourceRating" (
    "sourceId" TEXT NOT NULL,
    "userKey" TEXT NOT NULL,
    "rating" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SourceRating_pkey" PRIMARY KEY ("sourceId", "userKey"),
    CONSTRAINT "SourceRating_rating_check" CHECK ("rating" BETWEEN 1 AND 5),
    CONSTRAINT "SourceRating_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Full-text search. The English configuration stems ("scaling" finds "scale") and is named
-- explicitly, which makes these expressions immutable and so indexable. Queries must repeat the
-- indexed expression exactly (server/services/search.ts) for the planner to use the index.
CREATE INDEX "DebateClaim_text_search_idx" ON "DebateClaim" USING GIN (to_tsvector('english'::regconfig, "text"));

-- array_to_string is only STABLE (it could call a type's output function); for text[] it is
-- deterministic, so this wrapper may be declared IMMUTABLE and used in an index.
CREATE FUNCTION crux_source_document(title TEXT, authors TEXT[], publisher TEXT, notes TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(array_to_string(authors, ' '), '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(publisher, '')), 'C')
        || setweight(to_tsvector('english'::regconfig, coalesce(notes, '')), 'D')
$$;
CREATE INDEX "Source_search_idx" ON "Source" USING GIN (crux_source_document("title", "authors", "publisher", "notes"));
