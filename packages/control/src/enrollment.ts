import { type EnrollBody, type EnrollResponse, PROTOCOL_VERSION } from "@switchyard/protocol";
import { recordAudit } from "./audit";
import type { ServiceContext } from "./context";
import { DomainError } from "./errors";
import { generateSecret, hashSecret, SecretPrefix } from "./secrets";

export function protocolMismatch(agentVersion: number): DomainError {
  return new DomainError(
    "protocol_mismatch",
    `agent speaks protocol version ${agentVersion} but this control plane speaks ${PROTOCOL_VERSION}; ` +
      "upgrade the agent and the control plane to matching releases",
    "protocolVersion",
    { serverProtocolVersion: PROTOCOL_VERSION, agentProtocolVersion: agentVersion },
  );
}

/**
 * Exchanges a one-time enrollment token for a long-lived host credential. The token must exist, be
 * unused and unexpired, and the host not revoked; otherwise nothing changes.
 */
export async function enrollHost(ctx: ServiceContext, input: EnrollBody): Promise<EnrollResponse> {
  if (input.protocolVersion !== PROTOCOL_VERSION) throw protocolMismatch(input.protocolVersion);
  const now = ctx.now();
  const tokenHash = hashSecret(input.token);
  const credential = generateSecret(SecretPrefix.hostCredential);
  return ctx.prisma.$transaction(async (tx) => {
    // Claim the token atomically: of two concurrent enrollments with one token, one wins.
    const claimed = await tx.enrollmentToken.updateMany({
      where: { tokenHash, usedAt: null, expiresAt: { gt: now }, host: { status: { not: "revoked" } } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) {
      const token = await tx.enrollmentToken.findUnique({ where: { tokenHash }, include: { host: true } });
      if (!token) throw new DomainError("unauthorized", "enrollment token is not valid", "token");
      if (token.host.status === "revoked") {
        throw new DomainError("unauthorized", `host ${token.host.name} has been revoked`, "token");
      }
      if (token.usedAt) {
        throw new DomainError(
          "unauthorized",
          `enrollment token was already used at ${token.usedAt.toISOString()}; create a new one for host ${token.host.name}`,
          "token",
        );
      }
      throw new DomainError(
        "unauthorized",
        `enrollment token expired at ${token.expiresAt.toISOString()}; create a new one for host ${token.host.name}`,
        "token",
      );
    }
    const token = await tx.enrollmentToken.findUniqueOrThrow({ where: { tokenHash } });
    const host = await tx.host.update({
      where: { id: token.hostId },
      data: {
        hostname: input.hostname,
        agentVersion: input.agentVersion,
        protocolVersion: input.protocolVersion,
      },
    });
    await tx.hostCredential.create({
      data: { hostId: host.id, secretHash: hashSecret(credential), createdAt: now },
    });
    await recordAudit(tx, {
      actor: { type: "agent", id: host.id, name: input.hostname },
      action: "host.enroll",
      targetType: "host",
      targetId: host.id,
      details: { hostname: input.hostname, agentVersion: input.agentVersion },
      at: now,
    });
    return { hostId: host.id, hostName: host.name, credential };
  });
}
