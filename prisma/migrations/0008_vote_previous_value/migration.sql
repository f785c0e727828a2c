-- [scale] 4: the value a vote's last change replaced. The vote statement sets it in the same
-- upsert and returns it, so that the running tallies (server/services/votes.ts) learn the replaced
-- value without a second lookup of the row. NULL until the vote is first changed.
ALTER TABLE "Vote" ADD COLUMN "previousValue" INTEGER;
