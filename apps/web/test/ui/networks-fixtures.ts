import type { Attachment, Network, Operation, PoolBlock, PoolDetail } from "@switchyard/protocol";

export function network(name: string, extra: Partial<Network> = {}): Network {
  return {
    id: `nid-${name}`,
    name,
    driver: "bridge",
    subnet: "10.10.0.0/24",
    prefixLength: 24,
    gateway: "10.10.0.1",
    vlan: null,
    vni: null,
    vxlanPort: null,
    bridgeName: "br0",
    uplink: "eth1",
    mtu: null,
    poolId: "pid-1",
    poolName: "10.10.0.0-24",
    description: null,
    hostOverrides: [],
    attachmentCount: 0,
    createdAt: "2026-11-27T21:00:00.000Z",
    createdBy: "admin@switchyard.local",
    ...extra,
  };
}

export function attachment(id: string, extra: Partial<Attachment> = {}): Attachment {
  return {
    id,
    networkId: "nid-net",
    networkName: "net",
    hostId: "hid-host1",
    hostName: "host1",
    container: { runtime: "docker", ref: "con1" },
    ifname: "eth1",
    address: "10.10.0.2",
    prefixLength: 24,
    mac: null,
    setDefaultRoute: false,
    stickyKey: null,
    status: "applied",
    error: null,
    hostIfname: "sy0abc",
    poolId: "pid-1",
    allocationId: "alloc-1",
    reason: null,
    createdAt: "2026-11-27T22:00:00.000Z",
    createdBy: "admin@switchyard.local",
    appliedAt: "2026-11-27T22:00:01.000Z",
    detachRequestedAt: null,
    detachedAt: null,
    ...extra,
  };
}

export function operation(id: string, extra: Partial<Operation> = {}): Operation {
  return {
    id,
    kind: "attach",
    attachmentId: `att-${id}`,
    hostId: "hid-host1",
    hostName: "host1",
    networkId: "nid-net",
    networkName: "net",
    status: "pending",
    error: null,
    requestedBy: "admin@switchyard.local",
    reason: null,
    serial: 1,
    durationMs: null,
    createdAt: "2026-11-27T22:00:00.000Z",
    sentAt: null,
    finishedAt: null,
    ...extra,
  };
}

export function block(
  index: number,
  hostName: string | null,
  allocated: number,
  extra: Partial<PoolBlock> = {},
): PoolBlock {
  return {
    index: String(index),
    first: `10.0.0.${index * 16}`,
    last: `10.0.0.${index * 16 + 15}`,
    hostId: hostName ? `hid-${hostName}` : null,
    hostName,
    claimedAt: "2026-11-27T22:00:00.000Z",
    emptySince: null,
    allocated,
    coolingDown: 0,
    usable: 16,
    ...extra,
  };
}

export function poolDetail(
  blocks: PoolBlock[],
  blocksTotal: string,
  extra: Partial<PoolDetail> = {},
): PoolDetail {
  const hosts = [...new Set(blocks.map((b) => b.hostName))].map((hostName) => {
    const mine = blocks.filter((b) => b.hostName === hostName);
    return {
      hostId: hostName ? `hid-${hostName}` : null,
      hostName,
      blocks: mine.length,
      allocated: mine.reduce((s, b) => s + b.allocated, 0),
      capacity: mine.reduce((s, b) => s + b.usable, 0),
    };
  });
  return {
    id: "pid-1",
    name: "pool1",
    cidr: "10.0.0.0/24",
    family: 4,
    gateway: "10.0.0.1",
    blockSize: 16,
    effectiveBlockSize: "16",
    reserved: [],
    allowBorrow: false,
    cooldownSeconds: 60,
    blockGraceSeconds: 300,
    description: null,
    createdAt: "2026-11-27T21:00:00.000Z",
    usage: {
      size: "256",
      usable: "253",
      allocated: blocks.reduce((s, b) => s + b.allocated, 0),
      coolingDown: 0,
      free: "250",
      blocksTotal,
      blocksClaimed: blocks.length,
      blocksFree: String(BigInt(blocksTotal) - BigInt(blocks.length)),
      hosts,
    },
    outlook: {
      computedAt: "2026-11-28T21:00:00.000Z",
      rateWindowSeconds: 86_400,
      ratePerHour: 0,
      exhaustsAt: null,
      blockRatePerHour: 0,
      blocksExhaustAt: null,
      hostsWithoutFreeBlock: [],
      failsAt: null,
      failsBecause: null,
    },
    alert: null,
    blocks,
    ...extra,
  };
}
