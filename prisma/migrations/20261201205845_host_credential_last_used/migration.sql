-- AlterTable
ALTER TABLE "HostCredential" ADD COLUMN     "lastUsedAt" TIMESTAMP(3);
