import { Prisma } from "@switchyard/db";
import { canonicalAddress, formatCidr, parseCidr } from "@switchyard/ipam";
import { type CreatePoolInput, createPoolBodySchema, type Pool } from "@switchyard/protocol";
import { type Actor, recordAudit } from "../audit";
import type { ServiceContext } from "../context";
import { DomainError, validationError } from "../errors";
import { planOf, toPoolDto } from "./pool-record";

/** Creates a pool. The body is validated again here so services are safe without the HTTP edge. */
export async function createPool(ctx: ServiceContext, actor: Actor, input: CreatePoolInput): Promise<Pool> {
  const parsed = createPoolBodySchema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  const body = parsed.data;
  const cidr = parseCidr(body.cidr);
  const now = ctx.now();
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      const pool = await tx.addressPool.create({
        data: {
          name: body.name,
          cidr: formatCidr(cidr),
          family: cidr.family,
          gateway: body.gateway ? canonicalAddress(body.gateway) : null,
          blockSize: body.blockSize,
          reserved: body.reserved.map((r) => ({
            first: canonicalAddress(r.first),
            last: canonicalAddress(r.last ?? r.first),
          })),
          allowBorrow: body.allowBorrow,
          cooldownSeconds: body.cooldownSeconds,
          blockGraceSeconds: body.blockGraceSeconds,
          description: body.description ?? null,
          createdAt: now,
        },
      });
      const dto = toPoolDto(pool, planOf(pool));
      await recordAudit(tx, {
        actor,
        action: "pool.create",
        targetType: "pool",
        targetId: pool.id,
        details: { name: dto.name, cidr: dto.cidr },
        at: now,
      });
      return dto;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new DomainError("conflict", `a pool named ${body.name} already exists`, "name");
    }
    throw err;
  }
}
