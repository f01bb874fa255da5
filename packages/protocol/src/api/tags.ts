/** The groups of the REST API, as the OpenAPI document lists them. */
export const apiTags = {
  system: "Health, metrics and this API's own description",
  auth: "Sign-in sessions, the signed-in user, API tokens",
  users: "Accounts and roles (admin only)",
  audit: "Who changed what, when",
  hosts: "Hosts, their inventories and the topology map",
  agent: "What host agents call (enrollment)",
  ipam: "Address pools, blocks and allocations",
  networks: "Bridge, OVS VLAN, macvlan and VXLAN networks",
  attachments: "Containers attached to networks, the operations ledger, agents' reconcile events",
  leaks: "Leaked addresses: findings, probes, release and undo",
} as const;

export type ApiTag = keyof typeof apiTags;
