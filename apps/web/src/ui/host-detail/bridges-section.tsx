import type { Inventory } from "@switchyard/protocol";
import { linuxBridgePorts } from "../graph/attachments";

export function LinuxBridgesSection({ inventory }: { inventory: Inventory }) {
  const bridges = [...linuxBridgePorts(inventory)];
  if (bridges.length === 0) return <p className="muted">No Linux bridges.</p>;
  return (
    <table className="data-table compact" data-testid="bridges-table">
      <thead>
        <tr>
          <th>Bridge</th>
          <th>Ports</th>
        </tr>
      </thead>
      <tbody>
        {bridges.map(([name, ports]) => (
          <tr key={name} data-testid={`linux-bridge-${name}`}>
            <td className="mono">{name}</td>
            <td className="mono">{[...ports].sort().join(", ") || "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
