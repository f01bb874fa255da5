"use client";

import type { Network } from "@switchyard/protocol";
import Link from "next/link";
import { vlanColor as vlanChipColor } from "../graph/vlan-colors";
import { DeleteNetworkButton } from "./delete-network-button";
import { DriverBadge } from "./driver-badge";
import { segmentLabel } from "./network-form-values";

/** Test ids: `networks-table`, rows `network-row-<name>` (data-driver, data-vlan, data-vni, data-attachments). */
export function NetworksTable({ networks }: { networks: Network[] }) {
  const sorted = [...networks].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <table className="data-table" data-testid="networks-table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Driver</th>
          <th>Subnet</th>
          <th>Gateway</th>
          <th>VLAN / VNI</th>
          <th>Bridge</th>
          <th>Uplink</th>
          <th>MTU</th>
          <th>Attachments</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 && (
          <tr>
            <td colSpan={10} className="muted">
              No networks yet.
            </td>
          </tr>
        )}
        {sorted.map((network) => (
          <tr
            key={network.id}
            data-testid={`network-row-${network.name}`}
            data-driver={network.driver}
            data-vlan={network.vlan ?? ""}
            data-vni={network.vni ?? ""}
            data-attachments={network.attachmentCount}
          >
            <td>
              <Link href={`/networks/${network.id}`} className="mono">
                {network.name}
              </Link>
              {network.description && <div className="muted small">{network.description}</div>}
            </td>
            <td>
              <DriverBadge driver={network.driver} />
            </td>
            <td className="mono">{network.subnet}</td>
            <td className="mono">{network.gateway ?? "—"}</td>
            <td>
              <SegmentChip network={network} />
            </td>
            <td className="mono">{network.bridgeName ?? "—"}</td>
            <td className="mono">
              {network.uplink ?? "—"}
              {network.hostOverrides.length > 0 && (
                <span className="muted small" title={overridesTitle(network)}>
                  {" "}
                  +{network.hostOverrides.length} override{network.hostOverrides.length === 1 ? "" : "s"}
                </span>
              )}
            </td>
            <td>{network.mtu ?? "—"}</td>
            <td>{network.attachmentCount}</td>
            <td className="actions">
              <DeleteNetworkButton network={network} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function overridesTitle(network: Network): string {
  return network.hostOverrides
    .map((o) =>
      [
        o.hostName,
        o.bridgeName && `bridge=${o.bridgeName}`,
        o.uplink && `uplink=${o.uplink}`,
        o.underlayAddress && `underlay=${o.underlayAddress}`,
      ]
        .filter(Boolean)
        .join(" "),
    )
    .join("\n");
}

export function SegmentChip({ network }: { network: Network }) {
  const label = segmentLabel(network);
  if (network.driver === "ovs" && network.vlan !== null) {
    return (
      <span className="vlan-chip" style={{ borderColor: vlanChipColor(network.vlan) }}>
        <span className="vlan-dot" style={{ background: vlanChipColor(network.vlan) }} />
        {label}
      </span>
    );
  }
  return <span className={label === "—" ? "muted" : "mono"}>{label}</span>;
}
