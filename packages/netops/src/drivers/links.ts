/** `ip -j -d addr show` output, reduced to what the drivers compare against. */
export interface LinkAddress {
  family: "inet" | "inet6";
  address: string;
  prefixLength: number;
  scope: string;
}

export interface Link {
  index: number;
  name: string;
  /** `linkinfo.info_kind` ("veth", "bridge", "vxlan", "macvlan", ...) or "". */
  kind: string;
  up: boolean;
  mtu: number;
  mac: string;
  master: string | null;
  alias: string | null;
  /** Peer / lower device ifindex (for veth: the peer's index in its namespace). */
  linkIndex: number | null;
  /** `linkinfo.info_data` (vxlan id, local, port, ...). */
  info: Record<string, unknown>;
  addresses: LinkAddress[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (o: Obj, k: string): string | null => (typeof o[k] === "string" ? (o[k] as string) : null);
const num = (o: Obj, k: string): number | null => (typeof o[k] === "number" ? (o[k] as number) : null);

function parseAddresses(o: Obj): LinkAddress[] {
  const info = Array.isArray(o.addr_info) ? o.addr_info : [];
  const out: LinkAddress[] = [];
  for (const a of info) {
    if (!isObj(a)) continue;
    const family = text(a, "family");
    const address = text(a, "local");
    const prefixLength = num(a, "prefixlen");
    if ((family === "inet" || family === "inet6") && address && prefixLength !== null) {
      out.push({ family, address, prefixLength, scope: text(a, "scope") ?? "global" });
    }
  }
  return out;
}

export function parseLinks(json: string): Link[] {
  const parsed: unknown = JSON.parse(json.trim() === "" ? "[]" : json);
  if (!Array.isArray(parsed)) throw new Error("ip -j: expected a JSON array");
  const out: Link[] = [];
  for (const o of parsed) {
    if (!isObj(o)) continue;
    const index = num(o, "ifindex");
    const name = text(o, "ifname");
    if (index === null || !name) continue;
    const linkinfo = isObj(o.linkinfo) ? o.linkinfo : {};
    const flags = Array.isArray(o.flags) ? o.flags : [];
    out.push({
      index,
      name,
      kind: text(linkinfo, "info_kind") ?? "",
      up: flags.includes("UP"),
      mtu: num(o, "mtu") ?? 0,
      mac: text(o, "address") ?? "",
      master: text(o, "master"),
      alias: text(o, "ifalias"),
      linkIndex: num(o, "link_index"),
      info: isObj(linkinfo.info_data) ? linkinfo.info_data : {},
      addresses: parseAddresses(o),
    });
  }
  return out;
}

/** `bridge -j fdb show dev X`: destinations of the all-zero (flood) entries. */
export function parseFloodDestinations(json: string): string[] {
  const parsed: unknown = JSON.parse(json.trim() === "" ? "[]" : json);
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter(isObj)
    .filter((e) => e.mac === "00:00:00:00:00:00" && typeof e.dst === "string")
    .map((e) => e.dst as string)
    .sort();
}
