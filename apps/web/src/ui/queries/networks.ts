import {
  type CreateNetworkInput,
  type Network,
  networkListSchema,
  networkSchema,
} from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { fetchJson, sendCommand } from "../api/fetch-json";

export const networkKeys = {
  all: ["networks"] as const,
  list: ["networks", "list"] as const,
  detail: (id: string) => ["networks", "detail", id] as const,
};

export function networksQuery() {
  return queryOptions({
    queryKey: networkKeys.list,
    queryFn: async () => (await fetchJson("/api/v1/networks", networkListSchema)).networks,
  });
}

/** By id or name. */
export function networkQuery(id: string) {
  return queryOptions({
    queryKey: networkKeys.detail(id),
    queryFn: () => fetchJson(`/api/v1/networks/${encodeURIComponent(id)}`, networkSchema),
  });
}

export function createNetwork(body: CreateNetworkInput): Promise<Network> {
  return fetchJson("/api/v1/networks", networkSchema, { method: "POST", body });
}

/** The server refuses with 409 while the network still has attachments. */
export function deleteNetwork(id: string, reason?: string): Promise<void> {
  return sendCommand(`/api/v1/networks/${encodeURIComponent(id)}`, {
    method: "DELETE",
    ...(reason ? { body: { reason } } : {}),
  });
}

/** network:changed: replaces or adds the network, or removes it when deleted (`network` null). */
export function patchNetworkList(
  networks: Network[] | undefined,
  networkId: string,
  network: Network | null,
): Network[] | undefined {
  if (!networks) return networks;
  if (network === null) return networks.filter((n) => n.id !== networkId);
  const known = networks.some((n) => n.id === networkId);
  const next = known ? networks.map((n) => (n.id === networkId ? network : n)) : [...networks, network];
  return sortNetworks(next);
}

function sortNetworks(networks: Network[]): Network[] {
  return [...networks].sort((a, b) => a.name.localeCompare(b.name));
}
