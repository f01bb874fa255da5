/** Every React Query key of the UI, in one place so cache patches and invalidations agree. */
export const queryKeys = {
  me: ["me"] as const,
  hosts: ["hosts"] as const,
  hostList: ["hosts", "list"] as const,
  host: (id: string) => ["hosts", "detail", id] as const,
};
