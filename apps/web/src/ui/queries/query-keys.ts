/**
 * The keys of the signed-in user and of hosts (shared by several pages and the socket's patches). Every
 * other resource keeps its keys beside its query factory (`networkKeys` in networks.ts, `leakKeys`,
 * `fleetKeys`, ...), so a factory and the patches of its cache cannot disagree.
 */
export const queryKeys = {
  me: ["me"] as const,
  hosts: ["hosts"] as const,
  hostList: ["hosts", "list"] as const,
  host: (id: string) => ["hosts", "detail", id] as const,
};
