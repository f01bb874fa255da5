import type { Inventory } from "@switchyard/protocol";
import { formatAddress, sortAddresses } from "../format/addresses";
import { attachmentBridge, attachmentVlan, findContainerAttachments } from "../graph/attachments";

export function ContainersSection({ inventory }: { inventory: Inventory }) {
  const { containers, docker } = inventory;
  const attachments = findContainerAttachments(inventory);
  return (
    <>
      {!docker.available && (
        <p className="muted">Docker not available{docker.error ? `: ${docker.error}` : "."}</p>
      )}
      {containers.length === 0 ? (
        <p className="muted">No containers or named network namespaces.</p>
      ) : (
        <table className="data-table compact" data-testid="containers-table">
          <thead>
            <tr>
              <th>Container</th>
              <th>Runtime</th>
              <th>State</th>
              <th>Interface</th>
              <th>MAC</th>
              <th>Addresses</th>
              <th>Attached to</th>
            </tr>
          </thead>
          <tbody>
            {containers.flatMap((container) => {
              const rows = container.interfaces.length > 0 ? container.interfaces : [null];
              return rows.map((iface, position) => {
                const attached = iface
                  ? attachments.find(
                      (a) => a.container.id === container.id && a.containerInterface.name === iface.name,
                    )
                  : undefined;
                const bridge = attached ? attachmentBridge(attached.attachment) : null;
                const vlan = attached ? attachmentVlan(attached.attachment) : null;
                return (
                  <tr
                    key={`${container.id}/${iface?.name ?? ""}`}
                    data-testid={position === 0 ? `host-container-${container.name}` : undefined}
                  >
                    <td className="mono">{position === 0 ? container.name : ""}</td>
                    <td>{position === 0 ? container.runtime : ""}</td>
                    <td>{position === 0 ? container.state : ""}</td>
                    <td className="mono">{iface ? `${iface.name} (${iface.kind || "device"})` : "—"}</td>
                    <td className="mono">{iface?.mac ?? "—"}</td>
                    <td className="mono">
                      {iface ? sortAddresses(iface.addresses).map(formatAddress).join(", ") || "—" : "—"}
                    </td>
                    <td className="mono">
                      {attached
                        ? `${bridge ?? attached.attachment.hostInterface.name}${bridge ? ` (${attached.attachment.hostInterface.name})` : ""}${vlan !== null ? ` vlan ${vlan}` : ""}`
                        : "—"}
                    </td>
                  </tr>
                );
              });
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
