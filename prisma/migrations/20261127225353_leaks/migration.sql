-- CreateEnum
CREATE TYPE "LeakKind" AS ENUM ('host_offline', 'container_gone', 'interface_missing', 'address_mismatch', 'unknown_address', 'duplicate_address');

-- CreateEnum
CREATE TYPE "LeakState" AS ENUM ('pending', 'open', 'resolved', 'released');

-- CreateTable
CREATE TABLE "LeakFinding" (
    "id" TEXT NOT NULL,
    "kind" "LeakKind" NOT NULL,
    "state" "LeakState" NOT NULL DEFAULT 'pending',
    "key" TEXT NOT NULL,
    "activeKey" TEXT,
    "poolId" TEXT,
    "address" TEXT NOT NULL,
    "allocationId" TEXT,
    "attachmentId" TEXT,
    "networkId" TEXT,
    "hostId" TEXT,
    "container" TEXT,
    "ifname" TEXT,
    "evidence" JSONB NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,
    "raisedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "releasedAt" TIMESTAMP(3),
    "releaseId" TEXT,
    "probe" JSONB,

    CONSTRAINT "LeakFinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LeakRelease" (
    "id" TEXT NOT NULL,
    "poolId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "allocationId" TEXT NOT NULL,
    "attachmentId" TEXT,
    "hostId" TEXT,
    "findingIds" TEXT[],
    "reason" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "releasedBy" TEXT NOT NULL,
    "releasedAt" TIMESTAMP(3) NOT NULL,
    "reusableAt" TIMESTAMP(3),
    "verification" TEXT NOT NULL,
    "undoneAt" TIMESTAMP(3),
    "undoneBy" TEXT,
    "undoReason" TEXT,

    CONSTRAINT "LeakRelease_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "deliveredAt" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobRun" (
    "name" TEXT NOT NULL,
    "lastRunAt" TIMESTAMP(3) NOT NULL,
    "durationMs" DOUBLE PRECISION NOT NULL,
    "summary" JSONB,

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "LeakFinding_activeKey_key" ON "LeakFinding"("activeKey");

-- CreateIndex
CREATE INDEX "LeakFinding_state_idx" ON "LeakFinding"("state");

-- CreateIndex
CREATE INDEX "LeakFinding_poolId_address_idx" ON "LeakFinding"("poolId", "address");

-- CreateIndex
CREATE INDEX "LeakFinding_allocationId_idx" ON "LeakFinding"("allocationId");

-- CreateIndex
CREATE INDEX "LeakRelease_poolId_address_idx" ON "LeakRelease"("poolId", "address");

-- CreateIndex
CREATE INDEX "LeakRelease_allocationId_idx" ON "LeakRelease"("allocationId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_deliveredAt_nextAttemptAt_idx" ON "WebhookDelivery"("deliveredAt", "nextAttemptAt");

-- AddForeignKey
ALTER TABLE "LeakFinding" ADD CONSTRAINT "LeakFinding_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LeakRelease" ADD CONSTRAINT "LeakRelease_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;
