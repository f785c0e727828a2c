-- Rate limits shared by every instance ([access], [scale]): the limiters lived in each process's
-- memory, so N instances behind a load balancer allowed N times the budget.

-- Crux's own token buckets (server/access/rateLimit.ts SharedLimiter): writes per account,
-- guests per address, failed sign-ins per account. One row per active key; idle rows are swept.
CREATE TABLE "RateBucket" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "RateBucket_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "RateBucket_at_idx" ON "RateBucket"("at");

-- better-auth's limiter with storage 'database' (its table is "rateLimit": key, count, lastRequest in ms).
CREATE TABLE "RateLimit" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "lastRequest" BIGINT NOT NULL,
    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "RateLimit_key_key" ON "RateLimit"("key");
