-- [harden] 2: a commit whose acknowledgement is lost (the connection drops after COMMIT reached
-- Postgres) used to be retried as a new commit, storing its updates twice. Each group commit now
-- marks its first row with an id it keeps across retries; a retry that finds the mark knows the
-- earlier attempt committed and writes nothing (server/persistence/docStore.ts append).
ALTER TABLE "DocUpdate" ADD COLUMN "commitId" UUID;
CREATE UNIQUE INDEX "DocUpdate_commitId_key" ON "DocUpdate"("commitId");
