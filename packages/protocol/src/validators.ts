import { z } from "zod";

// Linux IFNAMSIZ is 16 including the NUL terminator.
const IFNAME_MAX_BYTES = 15;

export const interfaceNameSchema = z
  .string()
  .min(1, "interface name must not be empty")
  .refine((s) => Buffer.byteLength(s, "utf8") <= IFNAME_MAX_BYTES, {
    message: `interface name must be at most ${IFNAME_MAX_BYTES} bytes`,
  })
  .refine((s) => !/[\s/%:]/.test(s) && s !== "." && s !== "..", {
    message: "interface name must not contain whitespace, '/', '%' or ':'",
  });

export const vlanIdSchema = z
  .number({ message: "VLAN id must be a number" })
  .int("VLAN id must be an integer")
  .min(1, "VLAN id must be between 1 and 4094")
  .max(4094, "VLAN id must be between 1 and 4094");

export const vniSchema = z.number().int().min(1).max(16_777_215);

export const macAddressSchema = z
  .string()
  .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i, "MAC address must look like 02:42:ac:11:00:02")
  .transform((s) => s.toLowerCase());

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
