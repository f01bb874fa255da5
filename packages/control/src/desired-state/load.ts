import { type Inventory, inventorySchema, WANTED_ATTACHMENT_STATUSES } from "@switchyard/protocol";
import type { Db } from "../context";
import { notFound } from "../errors";
import { networkInclude } from "../networks/dto";
import { type BuildHost, type DesiredStatePlan, planDesiredState } from "./build";

const parseInventory = (snapshot: unknown): Inventory | null => {
  const parsed = inventorySchema.safeParse(snapshot);
  return parsed.success ? parsed.data : null;
};

async function buildHosts(db: Db, ids: string[]): Promise<BuildHost[]> {
  if (ids.length === 0) return [];
  const rows = await db.host.findMany({ where: { id: { in: ids } }, include: { inventory: true } });
  return rows.map((h) => ({
    id: h.id,
    desiredSerial: h.desiredSerial,
    inventory: h.inventory ? parseInventory(h.inventory.snapshot) : null,
  }));
}

/**
 * Reads what the host's desired state needs and plans it. The host row is read FIRST: every attach or
 * detach committed at a serial <= the state's serial is then visible in the rows read after it, so a
 * state with serial S carries every change up to S (it may carry later ones too, which is harmless).
 */
export async function loadDesiredState(db: Db, hostId: string): Promise<DesiredStatePlan> {
  const [host] = await buildHosts(db, [hostId]);
  if (!host) throw notFound(`host ${hostId}`);
  const mine = await db.attachment.findMany({
    where: { hostId, status: { in: [...WANTED_ATTACHMENT_STATUSES] } },
  });
  const networkIds = [...new Set(mine.map((a) => a.networkId))];
  const networks = await db.network.findMany({ where: { id: { in: networkIds } }, include: networkInclude });
  const vxlanIds = networks.filter((n) => n.driver === "vxlan").map((n) => n.id);
  const others =
    vxlanIds.length === 0
      ? []
      : await db.attachment.findMany({
          where: {
            networkId: { in: vxlanIds },
            hostId: { not: hostId },
            status: { in: [...WANTED_ATTACHMENT_STATUSES] },
          },
        });
  const peers = await buildHosts(db, [...new Set(others.map((a) => a.hostId))]);
  return planDesiredState(host, networks, [...mine, ...others], peers);
}
