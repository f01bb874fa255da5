import type { Inventory } from "@switchyard/protocol";

export function OvsSection({ inventory }: { inventory: Inventory }) {
  const { ovs } = inventory;
  if (!ovs.available) {
    return <p className="muted">Open vSwitch not available{ovs.error ? `: ${ovs.error}` : "."}</p>;
  }
  if (ovs.bridges.length === 0) return <p className="muted">No OVS bridges.</p>;
  return (
    <div className="stack">
      {ovs.bridges.map((bridge) => (
        <div key={bridge.name} data-testid={`ovs-bridge-${bridge.name}`}>
          <h3 className="mono">
            {bridge.name} <span className="muted small">datapath {bridge.datapathType || "system"}</span>
          </h3>
          <table className="data-table compact">
            <thead>
              <tr>
                <th>Port</th>
                <th>Type</th>
                <th>Tag</th>
                <th>Trunks</th>
                <th>External ids</th>
              </tr>
            </thead>
            <tbody>
              {bridge.ports.map((port) => (
                <tr key={port.name} data-testid={`ovs-port-${port.name}`} data-tag={port.tag ?? ""}>
                  <td className="mono">{port.name}</td>
                  <td>{port.interfaceType || "system"}</td>
                  <td>{port.tag ?? "—"}</td>
                  <td>{port.trunks.length > 0 ? port.trunks.join(", ") : port.tag === null ? "all" : "—"}</td>
                  <td className="mono small">
                    {Object.entries(port.externalIds)
                      .map(([key, value]) => `${key}=${value}`)
                      .join(" ") || "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}
