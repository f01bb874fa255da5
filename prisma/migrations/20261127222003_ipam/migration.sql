-- CreateTable
CREATE TABLE "AddressPool" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "cidr" TEXT NOT NULL,
    "family" INTEGER NOT NULL,
    "gateway" TEXT,
    "blockSize" INTEGER NOT NULL DEFAULT 16,
    "reserved" JSONB NOT NULL DEFAULT '[]',
    "allowBorrow" BOOLEAN NOT NULL DEFAULT false,
    "cooldownSeconds" INTEGER NOT NULL DEFAULT 60,
    "blockGraceSeconds" INTEGER NOT NULL DEFAULT 300,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AddressPool_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AddressBlock" (
    "id" TEXT NOT NULL,
    "poolId" TEXT NOT NULL,
    "index" DECIMAL(39,0) NOT NULL,
    "hostId" TEXT,
    "claimedAt" TIMESTAMP(3) NOT NULL,
    "emptySince" TIMESTAMP(3),

    CONSTRAINT "AddressBlock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AddressAllocation" (
    "id" TEXT NOT NULL,
    "poolId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "offset" DECIMAL(39,0) NOT NULL,
    "heldOffset" DECIMAL(39,0),
    "blockIndex" DECIMAL(39,0) NOT NULL,
    "hostId" TEXT,
    "source" TEXT NOT NULL,
    "stickyKey" TEXT,
    "networkId" TEXT,
    "endpointId" TEXT,
    "allocatedAt" TIMESTAMP(3) NOT NULL,
    "allocatedBy" TEXT,
    "reason" TEXT,
    "releasedAt" TIMESTAMP(3),
    "releasedBy" TEXT,
    "releaseReason" TEXT,
    "reusableAt" TIMESTAMP(3),

    CONSTRAINT "AddressAllocation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AddressPool_name_key" ON "AddressPool"("name");

-- CreateIndex
CREATE INDEX "AddressBlock_poolId_hostId_idx" ON "AddressBlock"("poolId", "hostId");

-- CreateIndex
CREATE UNIQUE INDEX "AddressBlock_poolId_index_key" ON "AddressBlock"("poolId", "index");

-- CreateIndex
CREATE INDEX "AddressAllocation_poolId_blockIndex_idx" ON "AddressAllocation"("poolId", "blockIndex");

-- CreateIndex
CREATE INDEX "AddressAllocation_poolId_stickyKey_idx" ON "AddressAllocation"("poolId", "stickyKey");

-- CreateIndex
CREATE INDEX "AddressAllocation_hostId_idx" ON "AddressAllocation"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "AddressAllocation_poolId_heldOffset_key" ON "AddressAllocation"("poolId", "heldOffset");

-- AddForeignKey
ALTER TABLE "AddressBlock" ADD CONSTRAINT "AddressBlock_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "AddressPool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AddressBlock" ADD CONSTRAINT "AddressBlock_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AddressAllocation" ADD CONSTRAINT "AddressAllocation_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "AddressPool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AddressAllocation" ADD CONSTRAINT "AddressAllocation_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE SET NULL ON UPDATE CASCADE;
