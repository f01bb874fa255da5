-- AlterTable
ALTER TABLE "Attachment" ADD COLUMN     "cniContainerId" TEXT;

-- CreateIndex
CREATE INDEX "Attachment_hostId_cniContainerId_idx" ON "Attachment"("hostId", "cniContainerId");
