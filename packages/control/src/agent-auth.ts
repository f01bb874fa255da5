import { type AgentHandshake, PROTOCOL_VERSION } from "@switchyard/protocol";
import type { ServiceContext } from "./context";
import { protocolMismatch } from "./enrollment";
import { DomainError } from "./errors";
import type { Host } from "./models";
import { hashSecret, SecretPrefix } from "./secrets";

/**
 * The host behind an agent's credential. Throws protocol_mismatch, unauthorized (unknown credential)
 * or forbidden (the host or the credential was revoked).
 */
export async function authenticateAgent(
  ctx: ServiceContext,
  handshake: Omit<AgentHandshake, "protocolMinor">,
): Promise<Host> {
  if (handshake.protocolVersion !== PROTOCOL_VERSION) throw protocolMismatch(handshake.protocolVersion);
  if (!handshake.credential.startsWith(SecretPrefix.hostCredential)) {
    throw new DomainError("unauthorized", "host credential is not valid", "credential");
  }
  const credential = await ctx.prisma.hostCredential.findUnique({
    where: { secretHash: hashSecret(handshake.credential) },
    include: { host: true },
  });
  if (!credential) throw new DomainError("unauthorized", "host credential is not valid", "credential");
  if (credential.revokedAt || credential.host.status === "revoked") {
    throw new DomainError("forbidden", `host ${credential.host.name} has been revoked`, "credential");
  }
  const now = ctx.now();
  if (!credential.lastUsedAt) {
    // Re-enrollment rotates: the new credential's first use retires every older one of the host, so a
    // copied credential stops working once the host itself has moved on (and not before, so a
    // re-enrollment in flight never cuts off the running agent).
    await ctx.prisma.hostCredential.updateMany({
      where: {
        hostId: credential.hostId,
        id: { not: credential.id },
        revokedAt: null,
        createdAt: { lte: credential.createdAt },
      },
      data: { revokedAt: now },
    });
  }
  await ctx.prisma.hostCredential.update({ where: { id: credential.id }, data: { lastUsedAt: now } });
  return credential.host;
}
