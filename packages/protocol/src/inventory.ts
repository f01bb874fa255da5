import { parseAddress } from "@switchyard/ipam";
import { z } from "zod";
import { kernelInterfaceNameSchema } from "./validators";

/**
 * What an agent sees on its host. Sent whole on connect and whenever it changes. Checked like any other
 * input: its addresses become other hosts' VXLAN peers, its names are matched against the networks'.
 * Names are checked against what the kernel can hold (the inventory reports what exists), not against
 * the stricter rules for names Switchyard creates.
 */
export const inventoryAddressSchema = z
  .object({
    family: z.enum(["inet", "inet6"]),
    address: z.string(),
    prefixLength: z.number().int().min(0).max(128),
  })
  .superRefine((a, ctx) => {
    let family: 4 | 6 | null = null;
    try {
      // parseAddress trims; the stored text must be the address itself.
      if (a.address.trim() === a.address) family = parseAddress(a.address).family;
    } catch {
      // reported below
    }
    const wanted = a.family === "inet" ? 4 : 6;
    if (family !== wanted) {
      ctx.addIssue({ code: "custom", path: ["address"], message: `not an IPv${wanted} address` });
    } else if (family === 4 && a.prefixLength > 32) {
      ctx.addIssue({
        code: "custom",
        path: ["prefixLength"],
        message: "an IPv4 prefix length is at most 32",
      });
    }
  });
export type InventoryAddress = z.infer<typeof inventoryAddressSchema>;

export const inventoryInterfaceSchema = z.object({
  name: kernelInterfaceNameSchema,
  index: z.number().int(),
  /** `ip -d link` kind: veth, bridge, openvswitch, macvlan, vxlan, ... or "" for a plain device. */
  kind: z.string(),
  mac: z.string().nullable(),
  mtu: z.number().int().nullable(),
  operState: z.string(),
  /** Bridge (Linux or OVS system bridge) this interface is enslaved to. */
  master: z.string().nullable(),
  /** For veth: the peer's ifindex (in whichever namespace the peer lives). */
  peerIndex: z.number().int().nullable(),
  addresses: z.array(inventoryAddressSchema),
});
export type InventoryInterface = z.infer<typeof inventoryInterfaceSchema>;

export const linuxBridgeSchema = z.object({
  name: z.string(),
  ports: z.array(z.string()),
});
export type LinuxBridge = z.infer<typeof linuxBridgeSchema>;

export const ovsPortSchema = z.object({
  name: z.string(),
  tag: z.number().int().nullable(),
  trunks: z.array(z.number().int()),
  interfaceType: z.string(),
  externalIds: z.record(z.string(), z.string()),
});
export type OvsPort = z.infer<typeof ovsPortSchema>;

export const ovsBridgeSchema = z.object({
  name: z.string(),
  datapathType: z.string(),
  ports: z.array(ovsPortSchema),
});
export type OvsBridge = z.infer<typeof ovsBridgeSchema>;

export const containerInterfaceSchema = z.object({
  name: kernelInterfaceNameSchema,
  index: z.number().int(),
  kind: z.string(),
  mac: z.string().nullable(),
  /** For a veth inside a container: the ifindex of its peer on the host. */
  peerIndex: z.number().int().nullable(),
  addresses: z.array(inventoryAddressSchema),
});
export type ContainerInterface = z.infer<typeof containerInterfaceSchema>;

export const containerSchema = z.object({
  /** Docker id, or the namespace name for runtime "netns". */
  id: z.string(),
  name: z.string(),
  runtime: z.enum(["docker", "netns"]),
  state: z.string(),
  pid: z.number().int().nullable(),
  interfaces: z.array(containerInterfaceSchema),
});
export type Container = z.infer<typeof containerSchema>;

export const inventorySchema = z.object({
  collectedAt: z.string(),
  hostname: z.string(),
  interfaces: z.array(inventoryInterfaceSchema),
  bridges: z.array(linuxBridgeSchema),
  ovs: z.object({
    available: z.boolean(),
    error: z.string().nullable(),
    bridges: z.array(ovsBridgeSchema),
  }),
  namespaces: z.array(z.string()),
  docker: z.object({ available: z.boolean(), error: z.string().nullable() }),
  /** Docker containers and named network namespaces. */
  containers: z.array(containerSchema),
});
export type Inventory = z.infer<typeof inventorySchema>;

/**
 * Whether a container reference (what an attachment names: `runtime` + `ref`) is this inventory container:
 * its name or id, or for Docker an id prefix of 12 or more characters (`docker ps` shows 12).
 */
export function refNamesContainer(
  runtime: string,
  ref: string,
  container: Pick<Inventory["containers"][number], "runtime" | "id" | "name">,
): boolean {
  if (runtime !== container.runtime) return false;
  if (ref === container.name || ref === container.id) return true;
  return runtime === "docker" && ref.length >= 12 && container.id.startsWith(ref);
}
