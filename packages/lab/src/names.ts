import { randomBytes } from "node:crypto";

/** Per-run prefix: short, because it ends up in namespace names and must never collide with another run. */
export function labPrefix(): string {
  return `yl${randomBytes(3).toString("hex")}`;
}

export const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,11}$/;

export const switchNetns = (prefix: string): string => `${prefix}-sw`;
export const routerNetns = (prefix: string): string => `${prefix}-rt`;
export const hostNetns = (prefix: string, host: string): string => `${prefix}-${host}`;
export const containerNetns = (prefix: string, name: string): string => `${prefix}-c-${name}`;

/** Lab addressing: underlay 10.99.0.0/24 flat, or 10.99.1.0/24 and 10.99.2.0/24 behind a router when routed. */
export function underlayOf(
  index: number,
  routed: boolean,
): { address: string; prefixLength: number; gateway: string | null; subnet: number } {
  const subnet = routed ? (index % 2 === 1 ? 1 : 2) : 0;
  return {
    address: `10.99.${subnet}.${10 + index}`,
    prefixLength: 24,
    gateway: routed ? `10.99.${subnet}.1` : null,
    subnet,
  };
}
