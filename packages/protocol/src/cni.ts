import { z } from "zod";
import { agentAckErrorSchema } from "./agent";
import { CNI_COMMANDS, CNI_SUPPORTED_VERSIONS } from "./cni-spec";
import { idSchema, interfaceNameSchema, macAddressSchema, resourceNameSchema } from "./validators";

/**
 * The CNI plugin end to end: what the `switchyard` plugin hands the local agent (validated here, once,
 * by the agent: the plugin itself parses nothing), the CNI result it prints (SPEC.md 1.0.0 / 0.4.0), and
 * the agent -> control plane events that turn an ADD into an attachment through the one write path.
 */

/** A frame from the plugin (cni-spec.ts CniFrame). */
export const cniFrameSchema = z.object({
  v: z.literal(1, { message: "plugin and agent speak different frame versions; install matching releases" }),
  env: z.record(z.string(), z.string()),
  config: z.string().max(1_000_000),
});

/** SPEC.md "CNI_CONTAINERID": alphanumeric first, then alphanumerics, '_', '.', '-'. */
export const cniContainerIdSchema = z
  .string({ message: "CNI_CONTAINERID is required" })
  .min(1, "CNI_CONTAINERID is required")
  .max(255)
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/,
    "CNI_CONTAINERID must begin with a letter or digit (then letters, digits, _ . -)",
  );

/** Runtime-wide settings a runtime may pass (`runtimeConfig`, SPEC.md capabilities); only ours are read. */
const runtimeConfigSchema = z
  .object({
    /** Capability `mac`: the container interface's MAC. */
    mac: macAddressSchema.optional(),
    /** Capability `stickyKey` (Switchyard's): the key whose previous address this container gets back. */
    stickyKey: z.string().min(1).max(253).optional(),
  })
  .loose();

/** The network configuration on stdin, for type `switchyard` (extra fields are ignored, as plugins do). */
export const cniNetConfSchema = z
  .object({
    cniVersion: z.enum(CNI_SUPPORTED_VERSIONS, {
      message: `cniVersion must be one of ${CNI_SUPPORTED_VERSIONS.join(", ")}`,
    }),
    name: z.string({ message: "name is required" }).min(1, "name is required"),
    type: z.string().min(1),
    /** The Switchyard network (name or id) the container joins. */
    network: z.string({ message: "network is required (a Switchyard network name)" }).min(1).max(255),
    /** The agent's socket (default /run/switchyard/cni.sock). */
    agentSocket: z.string().min(1).optional(),
    /** The container interface's MTU; must equal the network's (an MTU is the network's property). */
    mtu: z.number().int().min(68).max(65_535).optional(),
    /** Route 0.0.0.0/0 (or ::/0) through the network's gateway. */
    defaultRoute: z.boolean().default(false),
    /** Milliseconds an ADD waits for the agent to apply the endpoint (default 60 s). */
    timeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
    runtimeConfig: runtimeConfigSchema.optional(),
    /** SPEC.md "args" convention: `{"cni": {"stickyKey": "..."}}`. */
    args: z
      .object({ cni: z.object({ stickyKey: z.string().min(1).max(253).optional() }).loose() })
      .loose()
      .optional(),
    prevResult: z.unknown().optional(),
    /** GC (1.1): the attachments the runtime still has; every other of this network on the host goes. */
    "cni.dev/valid-attachments": z
      .array(z.object({ containerID: z.string(), ifname: z.string() }).loose())
      .optional(),
  })
  .loose();
export type CniNetConf = z.infer<typeof cniNetConfSchema>;

export const cniCommandSchema = z.enum(CNI_COMMANDS, {
  message: `CNI_COMMAND must be one of ${CNI_COMMANDS.join(", ")}`,
});

/** CNI_IFNAME: an interface name Switchyard may create. */
export const cniIfnameSchema = z.string({ message: "CNI_IFNAME is required" }).pipe(interfaceNameSchema);

// ------------------------------------------------------------------ CNI results (SPEC.md)

const cniInterfaceSchema = z.object({
  name: z.string().min(1),
  mac: z.string().optional(),
  mtu: z.number().int().optional(),
  sandbox: z.string().optional(),
});
const cniRouteSchema = z.object({ dst: z.string(), gw: z.string().optional() });
const cniDnsSchema = z.object({
  nameservers: z.array(z.string()).optional(),
  domain: z.string().optional(),
  search: z.array(z.string()).optional(),
  options: z.array(z.string()).optional(),
});

/** SPEC.md 1.0.0 "ADD Success" (also 1.1.0's, whose additions are optional). */
export const cniResult100Schema = z.object({
  cniVersion: z.string(),
  interfaces: z.array(cniInterfaceSchema).optional(),
  ips: z.array(
    z.object({
      address: z.string().regex(/\/\d+$/, "an address in CIDR notation"),
      gateway: z.string().optional(),
      interface: z.number().int().min(0).optional(),
    }),
  ),
  routes: z.array(cniRouteSchema).optional(),
  dns: cniDnsSchema.optional(),
});
export type CniResult = z.infer<typeof cniResult100Schema>;

/** SPEC.md 0.4.0: the same, and every ip says its `version` ("4" or "6"). */
export const cniResult040Schema = cniResult100Schema.extend({
  ips: z.array(
    z.object({
      version: z.enum(["4", "6"]),
      address: z.string().regex(/\/\d+$/, "an address in CIDR notation"),
      gateway: z.string().optional(),
      interface: z.number().int().min(0).optional(),
    }),
  ),
});

export const cniErrorSchema = z.object({
  cniVersion: z.string(),
  code: z.number().int().min(1),
  msg: z.string().min(1),
  details: z.string().optional(),
});

/** SPEC.md "VERSION Success". */
export const cniVersionResultSchema = z.object({
  cniVersion: z.string(),
  supportedVersions: z.array(z.string()).min(1),
});

// ------------------------------------------------------------------ agent <-> control plane

/** Socket events on /agent, agent -> server, each acknowledged with its own ack schema below. */
export const CniAgentEvents = {
  /** Payload CniAttachRequest; ack CniAttachAck. */
  add: "agent:cni-add",
  /** Payload CniDetachRequest; ack CniDetachAck. */
  del: "agent:cni-del",
  /** Payload CniGcRequest; ack CniDetachAck. */
  gc: "agent:cni-gc",
} as const;

const netnsRefSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-zA-Z0-9_.][a-zA-Z0-9_.-]*$/, "a named network namespace (one file name under /run/netns)");

/** A CNI ADD, as the agent asks the control plane for it: an attachment of netns:NETNS on its own host. */
export const cniAttachRequestSchema = z.object({
  network: z.string().min(1).max(255),
  containerId: cniContainerIdSchema,
  netns: netnsRefSchema,
  ifname: interfaceNameSchema,
  stickyKey: z.string().min(1).max(253).optional(),
  mac: macAddressSchema.optional(),
  /** The network config's MTU: refused unless it is the network's (an MTU belongs to the network). */
  mtu: z.number().int().min(68).max(65_535).optional(),
  setDefaultRoute: z.boolean().default(false),
});
export type CniAttachRequest = z.infer<typeof cniAttachRequestSchema>;
export type CniAttachRequestInput = z.input<typeof cniAttachRequestSchema>;

/** What the agent needs to answer the runtime once the endpoint is applied. */
export const cniAttachmentSchema = z.object({
  id: idSchema,
  network: resourceNameSchema,
  address: z.string(),
  prefixLength: z.number().int(),
  gateway: z.string().nullable(),
  mtu: z.number().int().nullable(),
  mac: z.string().nullable(),
  setDefaultRoute: z.boolean(),
  status: z.string(),
  hostIfname: z.string().nullable(),
  error: z.string().nullable(),
});
export type CniAttachment = z.infer<typeof cniAttachmentSchema>;

export const cniAttachAckSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), attachment: cniAttachmentSchema }),
  z.object({ ok: z.literal(false), error: agentAckErrorSchema }),
]);
export type CniAttachAck = z.infer<typeof cniAttachAckSchema>;

/** A CNI DEL: every live attachment of this container id (and interface) on the agent's host goes. */
export const cniDetachRequestSchema = z.object({
  containerId: cniContainerIdSchema,
  ifname: interfaceNameSchema,
});
export type CniDetachRequest = z.infer<typeof cniDetachRequestSchema>;

/** A CNI GC: the runtime's valid attachments; the host's other CNI attachments on the network go. */
export const cniGcRequestSchema = z.object({
  network: z.string().min(1).max(255),
  valid: z.array(z.object({ containerId: z.string().max(255), ifname: z.string().max(15) })).max(100_000),
});
export type CniGcRequest = z.infer<typeof cniGcRequestSchema>;

export const cniDetachAckSchema = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    /** Attachments asked to go (0: nothing was there, which DEL treats as done). */
    detached: z.array(idSchema),
    /** The host's desired serial that no longer has them: the agent answers once it applied it. */
    serial: z.number().int().min(0),
  }),
  z.object({ ok: z.literal(false), error: agentAckErrorSchema }),
]);
export type CniDetachAck = z.infer<typeof cniDetachAckSchema>;
