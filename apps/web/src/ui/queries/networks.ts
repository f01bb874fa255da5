import { apiRoutes, type CreateNetworkInput, everyPage, type Network } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

export const networkKeys = {
  all: ["networks"] as const,
  list: ["networks", "list"] as const,
  detail: (id: string) => ["networks", "detail", id] as const,
};

export function networksQuery() {
  return queryOptions({
    queryKey: networkKeys.list,
    queryFn: () =>
      everyPage(
        (query) => callApi(apiRoutes.listNetworks, { query }),
        (p) => p.networks,
      ),
  });
}

/** By id or name. */
export function networkQuery(id: string) {
  return queryOptions({
    queryKey: networkKeys.detail(id),
    queryFn: () => callApi(apiRoutes.getNetwork, { params: { id } }),
  });
}

export function createNetwork(body: CreateNetworkInput): Promise<Network> {
  return callApi(apiRoutes.createNetwork, { body });
}

/** The server refuses with 409 while the network still has attachments. */
export async function deleteNetwork(id: string, reason?: string): Promise<void> {
  await callApi(apiRoutes.deleteNetwork, { params: { id }, body: reason ? { reason } : {} });
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
