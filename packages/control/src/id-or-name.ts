/** Hosts, networks and pools are named by id or by name wherever a user names them: one filter for both. */
export const byIdOrName = (ref: string) => ({ OR: [{ id: ref }, { name: ref }] });
