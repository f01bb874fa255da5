import type { Inventory, InventoryInterface } from "@switchyard/protocol";

/** Links Switchyard makes itself (veth / macvlan ends, VXLAN devices): never an underlay. */
const SWITCHYARD_LINK = /^(sy[0-9a-f]{8}[hcm]|vx\d+)$/;

const usableV4 = (i: InventoryInterface): string | null => {
  for (const a of i.addresses) {
    if (a.family !== "inet") continue;
    if (a.address.startsWith("127.") || a.address.startsWith("169.254.")) continue;
    return a.address;
  }
  return null;
};

/**
 * A host's VXLAN underlay address (the tunnel source), by this rule:
 *  1. the per-host override's `underlayAddress`;
 *  2. else the first IPv4 address (not loopback, not link-local) of the effective uplink interface;
 *  3. else the first such address on any other interface of the inventory that Switchyard did not make,
 *     non-bridges first (in inventory order), then bridges (a host NIC moved into br0 keeps its
 *     address on the bridge).
 * Null when none is known (no inventory yet, or no address).
 */
export function underlayAddress(
  override: string | null | undefined,
  uplink: string | null | undefined,
  inventory: Inventory | null | undefined,
): string | null {
  if (override) return override;
  if (!inventory) return null;
  if (uplink) {
    const found = inventory.interfaces.find((i) => i.name === uplink);
    const address = found ? usableV4(found) : null;
    if (address) return address;
  }
  const candidates = inventory.interfaces.filter(
    (i) => i.name !== "lo" && !SWITCHYARD_LINK.test(i.name) && i.kind !== "vxlan",
  );
  const isBridge = (i: InventoryInterface) => i.kind === "bridge" || i.kind === "openvswitch";
  for (const i of [...candidates.filter((c) => !isBridge(c)), ...candidates.filter(isBridge)]) {
    const address = usableV4(i);
    if (address) return address;
  }
  return null;
}
