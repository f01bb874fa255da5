/** Interactive transaction limits: wait for a pooled connection under load, but never hang forever. */
export const TX_OPTIONS = { maxWait: 60_000, timeout: 30_000 } as const;
