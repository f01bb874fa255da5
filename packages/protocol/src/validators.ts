import { type Cidr, contains, parseAddress, parseCidr } from "@switchyard/ipam";
import { z } from "zod";

// Linux IFNAMSIZ is 16 including the NUL terminator.
const IFNAME_MAX_BYTES = 15;

/**
 * What the kernel can hold as an interface name (`dev_valid_name`): 1-15 bytes, no '/', ':' or
 * whitespace, not "." or "..". Inventories are checked against this: they report what exists.
 */
export const kernelInterfaceNameSchema = z
  .string()
  .min(1, "interface name must not be empty")
  .refine((s) => Buffer.byteLength(s, "utf8") <= IFNAME_MAX_BYTES, {
    message: `interface name must be at most ${IFNAME_MAX_BYTES} bytes`,
  })
  .refine((s) => !/[\s/:]/.test(s), { message: "interface name must not contain whitespace, '/' or ':'" })
  .refine((s) => s !== "." && s !== "..", { message: "interface name must not be '.' or '..'" });

/**
 * An interface name Switchyard may create or hand to a command: the kernel's rules, and no '%' (a name
 * template to the kernel), no control characters, no leading '-' (an option to `ip`, and `--` is
 * `ovs-vsctl`'s command separator).
 */
export const interfaceNameSchema = kernelInterfaceNameSchema
  .refine((s) => !s.includes("%"), { message: "interface name must not contain '%'" })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), {
    message: "interface name must not contain control characters",
  })
  .refine((s) => !s.startsWith("-"), { message: "interface name must not begin with '-'" });

/**
 * Container refs, as the agent resolves them (one rule for the API and the agent's desired state).
 * At most 255 characters: a named namespace is a file name under /run/netns (NAME_MAX), and no Docker
 * name or id is longer.
 */
export const CONTAINER_REF_MAX = 255;

/** Docker's own rule for container names (ids, 64 hex digits or a prefix, fit it too). */
const DOCKER_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** A named network namespace: one file name under /run/netns, in the charset `ip netns` users keep to. */
const NETNS_NAME = /^[a-zA-Z0-9_.][a-zA-Z0-9_.-]*$/;

/** Why `ref` is not a valid reference for `runtime`, or null when it is. */
export function containerRefProblem(runtime: "docker" | "netns", ref: string): string | null {
  if (ref.length === 0) return `a ${runtime} container needs a name`;
  if (ref.length > CONTAINER_REF_MAX) return `container name must be at most ${CONTAINER_REF_MAX} characters`;
  if (runtime === "docker") {
    return DOCKER_REF.test(ref)
      ? null
      : "a Docker container name or id holds letters, digits, '_', '.' and '-' and begins with a letter or digit";
  }
  if (ref === "." || ref === "..") return "a network namespace name must not be '.' or '..'";
  return NETNS_NAME.test(ref)
    ? null
    : "a network namespace name is one file name of letters, digits, '_', '.' and '-' (no '/'), not beginning with '-'";
}

/** A named network namespace (`--netns NAME` of the agent, `netns:NAME` refs). */
export const isValidNetnsName = (name: string): boolean => containerRefProblem("netns", name) === null;

const MAC_MULTICAST_BIT = 0x01;

export const macAddressSchema = z
  .string()
  .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i, "MAC address must look like 02:42:ac:11:00:02")
  .transform((s) => s.toLowerCase())
  // The I/G bit of the first octet marks group addresses (broadcast is one): never an interface's own.
  .refine((s) => (Number.parseInt(s.slice(0, 2), 16) & MAC_MULTICAST_BIT) === 0, {
    message: "MAC address must be unicast (not broadcast or multicast: the first octet must be even)",
  })
  .refine((s) => s !== "00:00:00:00:00:00", { message: "MAC address must not be all zeros" });

export const vlanIdSchema = z
  .number({ message: "VLAN id must be a number" })
  .int("VLAN id must be an integer")
  .min(1, "VLAN id must be between 1 and 4094")
  .max(4094, "VLAN id must be between 1 and 4094");

export const vniSchema = z.number().int().min(1).max(16_777_215);

export const ipv4AddressSchema = z.ipv4({ message: "not an IPv4 address" });
export const ipv6AddressSchema = z.ipv6({ message: "not an IPv6 address" });
export const ipAddressSchema = z.union([ipv4AddressSchema, ipv6AddressSchema], {
  message: "not an IP address",
});
export const cidrSchema = z.union([z.cidrv4(), z.cidrv6()], { message: "not a CIDR (a.b.c.d/len)" });

/** Names of hosts, networks, pools: DNS-label-like so they are safe in URLs, CLIs and interface names. */
export const resourceNameSchema = z
  .string()
  .min(1, "name must not be empty")
  .max(63, "name must be at most 63 characters")
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i, "name may hold letters, digits, '.', '_' and '-'");

export const idSchema = z.string().min(1).max(64);

/**
 * Address ranges no pool may touch. Link-local is refused in both families: the kernel puts fe80::/64
 * on every interface by itself, routers never forward either range (a gateway there reaches nothing),
 * and 169.254.169.254 is the metadata service of most clouds; a container network there would
 * shadow it.
 */
const SPECIAL_RANGES: readonly { cidr: Cidr; what: string }[] = [
  ["0.0.0.0/8", "'this network' (0.0.0.0/8)"],
  ["127.0.0.0/8", "loopback (127.0.0.0/8)"],
  ["169.254.0.0/16", "link-local (169.254.0.0/16)"],
  ["224.0.0.0/4", "multicast (224.0.0.0/4)"],
  ["240.0.0.0/4", "reserved (240.0.0.0/4, with the broadcast address)"],
  ["::/128", "the unspecified address (::)"],
  ["::1/128", "loopback (::1)"],
  ["::ffff:0:0/96", "IPv4-mapped (::ffff:0:0/96)"],
  ["fe80::/10", "link-local (fe80::/10)"],
  ["ff00::/8", "multicast (ff00::/8)"],
].map(([cidr, what]) => ({ cidr: parseCidr(cidr as string), what: what as string }));

/**
 * The largest pool: an IPv4 /8 (10.0.0.0/8, the largest private range), an IPv6 /48 (a site). Larger
 * subnets are mistakes (a /0 makes every address on every host an unknown address of the pool).
 */
export const MIN_SUBNET_PREFIX = { 4: 8, 6: 48 } as const;

const overlaps = (a: Cidr, b: Cidr): boolean =>
  a.family === b.family && a.network < b.network + b.size && b.network < a.network + a.size;

/** Why a canonical subnet cannot be a pool or network subnet (too large, or a special range), or null. */
export function subnetProblem(cidr: Cidr): string | null {
  const min = MIN_SUBNET_PREFIX[cidr.family];
  if (cidr.prefix < min)
    return `subnet is too large: IPv${cidr.family} subnets must be /${min} or longer (got /${cidr.prefix})`;
  const special = SPECIAL_RANGES.find((r) => overlaps(r.cidr, cidr));
  return special ? `subnet overlaps ${special.what}, which cannot be handed out` : null;
}

/** An IPv4 address other hosts can send unicast to (a VXLAN underlay address). */
export const unicastIpv4Schema = ipv4AddressSchema.refine(
  (s) => {
    const address = parseAddress(s);
    return !SPECIAL_RANGES.some((r) => contains(r.cidr, address));
  },
  {
    message:
      "must be a unicast address other hosts can reach (not loopback, link-local, multicast, 0.0.0.0/8 or broadcast)",
  },
);
