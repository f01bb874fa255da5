import type { InventoryAddress } from "@switchyard/protocol";

export function formatAddress(address: InventoryAddress): string {
  return `${address.address}/${address.prefixLength}`;
}

/** IPv4 first: they are what engineers look for. */
export function sortAddresses(addresses: InventoryAddress[]): InventoryAddress[] {
  return [...addresses].sort((a, b) => (a.family === b.family ? 0 : a.family === "inet" ? -1 : 1));
}
