-- CreateEnum
CREATE TYPE "NetworkDriver" AS ENUM ('bridge', 'ovs', 'macvlan', 'vxlan');

-- CreateEnum
CREATE TYPE "AttachmentStatus" AS ENUM ('pending', 'applied', 'failed', 'detaching', 'detached');

-- CreateEnum
CREATE TYPE "OperationKind" AS ENUM ('attach', 'detach');

-- CreateEnum
CREATE TYPE "OperationStatus" AS ENUM ('pending', 'sent', 'applied', 'failed');

-- CreateTable
CREATE TABLE "Network" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "driver" "NetworkDriver" NOT NULL,
    "subnet" TEXT NOT NULL,
    "prefixLength" INTEGER NOT NULL,
    "gateway" TEXT,
    "vlan" INTEGER,
    "vni" INTEGER,
    "vxlanPort" INTEGER,
    "bridgeName" TEXT,
    "uplink" TEXT,
    "mtu" INTEGER,
    "poolId" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT,

    CONSTRAINT "Network_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NetworkHostOverride" (
    "networkId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "bridgeName" TEXT,
    "uplink" TEXT,
    "underlayAddress" TEXT,

    CONSTRAINT "NetworkHostOverride_pkey" PRIMARY KEY ("networkId","hostId")
);

-- CreateTable
CREATE TABLE "Attachment" (
    "id" TEXT NOT NULL,
    "networkId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "containerRuntime" TEXT NOT NULL,
    "containerRef" TEXT NOT NULL,
    "ifname" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "prefixLength" INTEGER NOT NULL,
    "mac" TEXT,
    "setDefaultRoute" BOOLEAN NOT NULL DEFAULT false,
    "stickyKey" TEXT,
    "status" "AttachmentStatus" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "hostIfname" TEXT,
    "poolId" TEXT NOT NULL,
    "allocationId" TEXT,
    "reason" TEXT,
    "activeKey" TEXT,
    "serial" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT,
    "appliedAt" TIMESTAMP(3),
    "detachRequestedAt" TIMESTAMP(3),
    "detachedAt" TIMESTAMP(3),

    CONSTRAINT "Attachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Operation" (
    "id" TEXT NOT NULL,
    "kind" "OperationKind" NOT NULL,
    "attachmentId" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "networkId" TEXT NOT NULL,
    "status" "OperationStatus" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "requestedBy" TEXT,
    "reason" TEXT,
    "serial" INTEGER NOT NULL,
    "durationMs" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Operation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Network_name_key" ON "Network"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Network_vni_key" ON "Network"("vni");

-- CreateIndex
CREATE INDEX "NetworkHostOverride_hostId_idx" ON "NetworkHostOverride"("hostId");

-- CreateIndex
CREATE UNIQUE INDEX "Attachment_activeKey_key" ON "Attachment"("activeKey");

-- CreateIndex
CREATE INDEX "Attachment_hostId_status_idx" ON "Attachment"("hostId", "status");

-- CreateIndex
CREATE INDEX "Attachment_networkId_status_idx" ON "Attachment"("networkId", "status");

-- CreateIndex
CREATE INDEX "Operation_hostId_status_idx" ON "Operation"("hostId", "status");

-- CreateIndex
CREATE INDEX "Operation_attachmentId_idx" ON "Operation"("attachmentId");

-- CreateIndex
CREATE INDEX "Operation_createdAt_idx" ON "Operation"("createdAt");

-- AddForeignKey
ALTER TABLE "NetworkHostOverride" ADD CONSTRAINT "NetworkHostOverride_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NetworkHostOverride" ADD CONSTRAINT "NetworkHostOverride_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attachment" ADD CONSTRAINT "Attachment_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Network"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attachment" ADD CONSTRAINT "Attachment_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_attachmentId_fkey" FOREIGN KEY ("attachmentId") REFERENCES "Attachment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Operation" ADD CONSTRAINT "Operation_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE CASCADE ON UPDATE CASCADE;
