import type { PrismaClient } from "@switchyard/db";
import type { Actor } from "../src/audit";
import type { ServiceContext } from "../src/context";

export const testActor: Actor = { type: "system", id: null, name: "ipam-test" };

/** A clock the test moves by hand. */
export function manualClock(start = new Date("2026-01-01T00:00:00.000Z")) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(seconds: number) {
      t += seconds * 1000;
    },
  };
}

export function serviceContext(prisma: PrismaClient, now: () => Date = () => new Date()): ServiceContext {
  return { prisma, now };
}

export async function createHosts(prisma: PrismaClient, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const host = await prisma.host.create({ data: { name: `${prefix}-${i}` } });
    ids.push(host.id);
  }
  return ids;
}
