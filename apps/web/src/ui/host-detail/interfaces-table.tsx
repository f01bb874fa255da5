import type { InventoryInterface } from "@switchyard/protocol";
import { formatAddress, sortAddresses } from "../format/addresses";

export function InterfacesTable({ interfaces }: { interfaces: InventoryInterface[] }) {
  const sorted = [...interfaces].sort((a, b) => a.index - b.index);
  return (
    <table className="data-table compact" data-testid="interfaces-table">
      <thead>
        <tr>
          <th>#</th>
          <th>Name</th>
          <th>Kind</th>
          <th>MAC</th>
          <th>MTU</th>
          <th>State</th>
          <th>Master</th>
          <th>Addresses</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((iface) => (
          <tr key={iface.name} data-testid={`interface-${iface.name}`}>
            <td className="muted">{iface.index}</td>
            <td className="mono">{iface.name}</td>
            <td>{iface.kind || "device"}</td>
            <td className="mono">{iface.mac ?? "—"}</td>
            <td>{iface.mtu ?? "—"}</td>
            <td>
              <span className={`oper-state oper-${iface.operState.toLowerCase()}`}>{iface.operState}</span>
            </td>
            <td className="mono">{iface.master ?? "—"}</td>
            <td className="mono">{sortAddresses(iface.addresses).map(formatAddress).join(", ") || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
