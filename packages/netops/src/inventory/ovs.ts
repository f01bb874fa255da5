import type { OvsBridge, OvsPort } from "@switchyard/protocol";
import { isObject, type JsonObject } from "./json";

/**
 * Parsing of `ovs-vsctl --format=json list TABLE` output. OVSDB values arrive as atoms (string, number,
 * boolean), `["uuid", U]`, `["set", [...]]` (a one-element set is printed as the bare atom) and
 * `["map", [[k, v], ...]]`.
 */

export type OvsRow = Record<string, unknown>;

/** The argv (after `ovs-vsctl --db=... --format=json`) that lists the three tables in one transaction. */
export const OVS_LIST_ARGS = [
  "--columns=_uuid,name,datapath_type,ports",
  "list",
  "Bridge",
  "--",
  "--columns=_uuid,name,tag,trunks,interfaces,external_ids",
  "list",
  "Port",
  "--",
  "--columns=_uuid,name,type,external_ids",
  "list",
  "Interface",
] as const;

/** One table (`{"data": [...], "headings": [...]}`) into rows keyed by heading. */
export function parseOvsTable(value: unknown, what = "ovs-vsctl"): OvsRow[] {
  if (!isObject(value) || !Array.isArray(value.data) || !Array.isArray(value.headings)) {
    throw new Error(`${what}: expected {"data": [...], "headings": [...]}`);
  }
  const headings = value.headings.map((h) => String(h));
  return value.data.map((row) => {
    const out: OvsRow = {};
    if (Array.isArray(row)) {
      for (const [i, h] of headings.entries()) out[h] = row[i];
    }
    return out;
  });
}

/** Output of several `list` commands chained with `--`: one JSON document per line. */
export function parseOvsTables(text: string): OvsRow[][] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line, i) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        throw new Error(`ovs-vsctl output line ${i + 1} is not JSON (${(error as Error).message})`);
      }
      return parseOvsTable(parsed);
    });
}

function isTagged(value: unknown, tag: string): value is [string, unknown] {
  return Array.isArray(value) && value.length === 2 && value[0] === tag;
}

/** A set column as an array (an empty set is [], a bare atom is a one-element set). */
export function ovsSet(value: unknown): unknown[] {
  if (isTagged(value, "set")) return Array.isArray(value[1]) ? value[1] : [];
  if (value === undefined || value === null) return [];
  return [value];
}

export function ovsUuid(value: unknown): string | null {
  return isTagged(value, "uuid") && typeof value[1] === "string" ? value[1] : null;
}

export function ovsMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isTagged(value, "map") || !Array.isArray(value[1])) return out;
  for (const pair of value[1]) {
    if (Array.isArray(pair) && pair.length === 2) out[String(pair[0])] = String(pair[1]);
  }
  return out;
}

function ovsInts(value: unknown): number[] {
  return ovsSet(value)
    .filter((v): v is number => typeof v === "number" && Number.isInteger(v))
    .sort((a, b) => a - b);
}

function ovsString(row: OvsRow, key: string): string {
  const v = row[key];
  return typeof v === "string" ? v : "";
}

function uuidsOf(value: unknown): string[] {
  return ovsSet(value)
    .map(ovsUuid)
    .filter((u): u is string => u !== null);
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Joins the Bridge, Port and Interface tables into bridges with their ports. A port's `interfaceType` is
 * its interface's `type` ("" system, "internal", "patch", ...), or "bond" when it has several interfaces;
 * `externalIds` merges the interfaces' external_ids with the port's own (the port's win).
 */
export function buildOvsBridges(
  bridgeRows: OvsRow[],
  portRows: OvsRow[],
  interfaceRows: OvsRow[],
): OvsBridge[] {
  const interfaces = new Map<string, JsonObject>();
  for (const row of interfaceRows) {
    const uuid = ovsUuid(row._uuid);
    if (uuid) interfaces.set(uuid, row);
  }
  const ports = new Map<string, OvsPort>();
  for (const row of portRows) {
    const uuid = ovsUuid(row._uuid);
    if (!uuid) continue;
    const ifaces = uuidsOf(row.interfaces)
      .map((u) => interfaces.get(u))
      .filter((i): i is JsonObject => i !== undefined);
    const externalIds: Record<string, string> = {};
    for (const iface of ifaces) Object.assign(externalIds, ovsMap(iface.external_ids));
    Object.assign(externalIds, ovsMap(row.external_ids));
    const tag = ovsInts(row.tag)[0] ?? null;
    const first = ifaces[0];
    ports.set(uuid, {
      name: ovsString(row, "name"),
      tag,
      trunks: ovsInts(row.trunks),
      interfaceType: ifaces.length > 1 ? "bond" : first ? ovsString(first, "type") : "",
      externalIds,
    });
  }
  return bridgeRows
    .map((row) => ({
      name: ovsString(row, "name"),
      datapathType: ovsString(row, "datapath_type"),
      ports: uuidsOf(row.ports)
        .map((u) => ports.get(u))
        .filter((p): p is OvsPort => p !== undefined)
        .sort(byName),
    }))
    .sort(byName);
}

/** The whole chained `ovs-vsctl ... list Bridge -- list Port -- list Interface` output into bridges. */
export function parseOvsList(text: string): OvsBridge[] {
  const [bridges, ports, interfaces] = parseOvsTables(text);
  if (!bridges || !ports || !interfaces)
    throw new Error("ovs-vsctl: expected three tables (Bridge, Port, Interface)");
  return buildOvsBridges(bridges, ports, interfaces);
}
