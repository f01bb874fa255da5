import type { Prisma } from "@switchyard/db";
import type { Network } from "@switchyard/protocol";

type NetworkRow = Prisma.NetworkModel;
type NetworkOverrideRow = Prisma.NetworkHostOverrideModel;
export type NetworkWithOverrides = NetworkRow & {
  hostOverrides: (NetworkOverrideRow & { host: { name: string } })[];
};

export const networkInclude = {
  hostOverrides: { include: { host: { select: { name: true } } }, orderBy: { hostId: "asc" } },
} as const satisfies Prisma.NetworkInclude;

export function toNetworkDto(row: NetworkWithOverrides, poolName: string, attachmentCount: number): Network {
  return {
    id: row.id,
    name: row.name,
    driver: row.driver,
    subnet: row.subnet,
    prefixLength: row.prefixLength,
    gateway: row.gateway,
    vlan: row.vlan,
    vni: row.vni,
    vxlanPort: row.vxlanPort,
    bridgeName: row.bridgeName,
    uplink: row.uplink,
    mtu: row.mtu,
    poolId: row.poolId,
    poolName,
    description: row.description,
    hostOverrides: row.hostOverrides.map((o) => ({
      hostId: o.hostId,
      hostName: o.host.name,
      bridgeName: o.bridgeName,
      uplink: o.uplink,
      underlayAddress: o.underlayAddress,
    })),
    attachmentCount,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}
