-- CreateTable
CREATE TABLE "PoolExhaustionAlert" (
    "id" TEXT NOT NULL,
    "poolId" TEXT NOT NULL,
    "activeKey" TEXT,
    "reason" TEXT NOT NULL,
    "raisedAt" TIMESTAMP(3) NOT NULL,
    "failsAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),
    "outlook" JSONB NOT NULL,

    CONSTRAINT "PoolExhaustionAlert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PoolExhaustionAlert_activeKey_key" ON "PoolExhaustionAlert"("activeKey");

-- CreateIndex
CREATE INDEX "PoolExhaustionAlert_poolId_raisedAt_idx" ON "PoolExhaustionAlert"("poolId", "raisedAt");

-- CreateIndex
CREATE INDEX "AddressAllocation_poolId_allocatedAt_idx" ON "AddressAllocation"("poolId", "allocatedAt");

-- CreateIndex
CREATE INDEX "AddressAllocation_poolId_releasedAt_idx" ON "AddressAllocation"("poolId", "releasedAt");

-- AddForeignKey
ALTER TABLE "PoolExhaustionAlert" ADD CONSTRAINT "PoolExhaustionAlert_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "AddressPool"("id") ON DELETE CASCADE ON UPDATE CASCADE;
