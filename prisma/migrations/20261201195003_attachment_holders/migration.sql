-- AlterTable
ALTER TABLE "Attachment" ADD COLUMN     "idempotencyKey" TEXT,
ADD COLUMN     "liveStickyKey" TEXT,
ADD COLUMN     "requestHash" TEXT;

-- Data written before this migration: a sticky key or an allocation shared by two live attachments
-- (the bug these indexes close) keeps its oldest attachment; the others lose the link, so the leak
-- check reports their addresses instead of the migration failing.
UPDATE "Attachment" a SET "allocationId" = NULL
WHERE "allocationId" IS NOT NULL AND EXISTS (
  SELECT 1 FROM "Attachment" b WHERE b."allocationId" = a."allocationId"
    AND (b."createdAt", b."id") < (a."createdAt", a."id"));
UPDATE "Attachment" a SET "liveStickyKey" = a."poolId" || '|' || a."stickyKey"
WHERE a."activeKey" IS NOT NULL AND a."stickyKey" IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM "Attachment" b WHERE b."activeKey" IS NOT NULL AND b."poolId" = a."poolId"
    AND b."stickyKey" = a."stickyKey" AND (b."createdAt", b."id") < (a."createdAt", a."id"));

-- CreateIndex
CREATE UNIQUE INDEX "Attachment_liveStickyKey_key" ON "Attachment"("liveStickyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Attachment_idempotencyKey_key" ON "Attachment"("idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Attachment_allocationId_key" ON "Attachment"("allocationId");
