import { createHash } from "node:crypto";
import { canonicalAddress } from "@switchyard/ipam";
import type { Actor } from "../audit";
import type { ServiceContext } from "../context";
import { DomainError } from "../errors";
import { createPool } from "../ipam";

export interface SubnetPool {
  id: string;
  name: string;
  gateway: string | null;
  /** True when this call created the pool. */
  created: boolean;
}

/** Deterministic pool name for a subnet, so two processes creating the same pool collide on the name. */
export function poolNameForSubnet(cidr: string): string {
  const name = `subnet-${cidr.replace(/[/:]/g, "-")}`.replace(/-{2,}/g, "-");
  if (name.length <= 63) return name;
  const hash = createHash("sha256").update(cidr).digest("hex").slice(0, 8);
  return `${name.slice(0, 54)}-${hash}`;
}

/**
 * The IPAM pool serving `cidr` (canonical): the oldest pool with that CIDR, or a new one (default block
 * size and cooldown, the network's gateway reserved). Networks on the same subnet share it, so VLAN 100
 * and VLAN 200 in one subnet get distinct addresses. A pool whose gateway differs from the network's is
 * refused: the network's gateway could otherwise be handed to a container.
 */
export async function findOrCreateSubnetPool(
  ctx: ServiceContext,
  actor: Actor,
  cidr: string,
  gateway: string | null,
): Promise<SubnetPool> {
  const find = () =>
    ctx.prisma.addressPool.findFirst({
      where: { cidr },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, name: true, gateway: true },
    });
  let created = false;
  let pool = await find();
  if (!pool) {
    try {
      const made = await createPool(ctx, actor, {
        name: poolNameForSubnet(cidr),
        cidr,
        ...(gateway ? { gateway } : {}),
        description: `addresses of the networks on ${cidr}`,
      });
      pool = { id: made.id, name: made.name, gateway: made.gateway };
      created = true;
    } catch (err) {
      // Another request created it first (same deterministic name).
      if (!(err instanceof DomainError && err.code === "conflict")) throw err;
      pool = await find();
      if (!pool) throw err;
    }
  }
  const poolGateway = pool.gateway ? canonicalAddress(pool.gateway) : null;
  if (gateway && poolGateway !== canonicalAddress(gateway)) {
    throw new DomainError(
      "conflict",
      poolGateway
        ? `subnet ${cidr} is served by pool ${pool.name} whose gateway is ${poolGateway}, not ${gateway}`
        : `subnet ${cidr} is served by pool ${pool.name}, which has no gateway reserved; create the network without a gateway, or reserve ${gateway} in that pool first`,
      "gateway",
      { poolId: pool.id, poolGateway },
    );
  }
  return { ...pool, created };
}

/** Removes a pool this request created when the network that needed it was not created after all. */
export async function dropUnusedPool(ctx: ServiceContext, poolId: string): Promise<void> {
  await ctx.prisma.$transaction(async (tx) => {
    const users = await tx.network.count({ where: { poolId } });
    const held = await tx.addressAllocation.count({ where: { poolId } });
    if (users === 0 && held === 0) await tx.addressPool.deleteMany({ where: { id: poolId } });
  });
}
