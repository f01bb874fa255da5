import type { DesiredState } from "@switchyard/protocol";
import type { HostOps } from "../drivers/host";
import { ALIAS_PREFIX, OVS_BRIDGE_MARK } from "../drivers/names";
import type { EventSink } from "../drivers/types";
import { ovsMap, parseOvsTable } from "../inventory/ovs";

async function ownedOvsBridges(ops: HostOps): Promise<string[]> {
  const out = await ops.vsctlRead(["--format=json", "--columns=name,external_ids", "list", "bridge"]);
  return parseOvsTable(JSON.parse(out.stdout))
    .filter((row) => ovsMap(row.external_ids)[OVS_BRIDGE_MARK] === "1")
    .map((row) => String(row.name));
}

/**
 * Removes bridges Switchyard created (Linux bridges with a Switchyard alias, OVS bridges with the
 * `switchyard=1` external id) that no desired network uses any more. Their remaining ports (an uplink)
 * are released, not deleted. Bridges that existed before Switchyard carry no mark and are never removed.
 */
export async function removeStaleBridges(
  state: DesiredState,
  ops: HostOps,
  emit: EventSink,
  ovsAvailable: boolean,
): Promise<void> {
  const wanted = new Set(state.networks.map((n) => n.bridgeName).filter((b): b is string => b !== undefined));
  for (const link of await ops.links()) {
    if (link.kind !== "bridge" || !link.alias?.startsWith(ALIAS_PREFIX) || wanted.has(link.name)) continue;
    await ops.ip(["link", "del", link.name]);
    emit({
      kind: "removed",
      endpointId: null,
      networkId: null,
      message: `bridge ${link.name} no longer used, removed`,
    });
  }
  if (!ovsAvailable) return;
  const wantedOvs = new Set(state.networks.filter((n) => n.driver === "ovs").map((n) => n.bridgeName));
  for (const name of await ownedOvsBridges(ops)) {
    if (wantedOvs.has(name)) continue;
    await ops.vsctl(["--if-exists", "del-br", name]);
    emit({
      kind: "removed",
      endpointId: null,
      networkId: null,
      message: `OVS bridge ${name} no longer used, removed`,
    });
  }
}
