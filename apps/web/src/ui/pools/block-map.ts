import type { PoolBlock, PoolDetail } from "@switchyard/protocol";

/** Host colours for the block map: distinct, readable, assigned in host-name order so a legend is stable. */
const hostPalette = [
  "#1971c2",
  "#2f9e44",
  "#e8590c",
  "#ae3ec9",
  "#0c8599",
  "#c2255c",
  "#5f3dc4",
  "#66a80f",
  "#d6336c",
  "#1098ad",
  "#f59f00",
  "#495057",
];
export const FREE_BLOCK_COLOR = "#e9ecef";

interface HostLegendEntry {
  hostId: string | null;
  hostName: string;
  color: string;
  blocks: number;
  allocated: number;
  capacity: number;
}

export interface BlockCell {
  /** Block index (decimal text: IPv6 pools have more blocks than a number holds). */
  index: string;
  claimed: boolean;
  hostId: string | null;
  hostName: string | null;
  color: string;
  first: string | null;
  last: string | null;
  allocated: number;
  coolingDown: number;
  usable: number | null;
  /** allocated / usable, 0..1 (0 for a free block). */
  fill: number;
  /** Returns to the pool after the grace period (claimed, empty since this time). */
  emptySince: string | null;
  title: string;
}

export interface BlockMap {
  cells: BlockCell[];
  legend: HostLegendEntry[];
  /** Every block of the pool is a cell; false: only claimed blocks (the pool has too many). */
  complete: boolean;
  blocksTotal: string;
  /** Claimed blocks beyond the cell limit that are not drawn. */
  hiddenClaimed: number;
}

/** At most this many cells are drawn; beyond it only claimed blocks are. */
const MAX_BLOCK_CELLS = 4096;

function compareIndex(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** One colour per owning host, in host-name order (a host without a name last). */
export function hostColorMap(blocks: Pick<PoolBlock, "hostId" | "hostName">[]): Map<string | null, string> {
  const hosts = new Map<string | null, string>();
  for (const b of blocks) if (!hosts.has(b.hostId)) hosts.set(b.hostId, b.hostName ?? "");
  const ordered = [...hosts.entries()].sort(([, a], [, b]) =>
    a === "" ? 1 : b === "" ? -1 : a.localeCompare(b),
  );
  return new Map(ordered.map(([hostId], i) => [hostId, hostPalette[i % hostPalette.length] ?? "#495057"]));
}

function blockTitle(cell: Omit<BlockCell, "title">): string {
  if (!cell.claimed) return `block ${cell.index} · free`;
  const range = cell.first && cell.last ? `${cell.first} – ${cell.last}` : `block ${cell.index}`;
  const parts = [
    range,
    cell.hostName ?? "no host",
    `${cell.allocated}/${cell.usable ?? "?"} used`,
    ...(cell.coolingDown > 0 ? [`${cell.coolingDown} cooling down`] : []),
    ...(cell.emptySince ? [`empty since ${cell.emptySince}`] : []),
  ];
  return parts.join(" · ");
}

function claimedCell(block: PoolBlock, color: string): BlockCell {
  const cell = {
    index: block.index,
    claimed: true,
    hostId: block.hostId,
    hostName: block.hostName,
    color,
    first: block.first,
    last: block.last,
    allocated: block.allocated,
    coolingDown: block.coolingDown,
    usable: block.usable,
    fill: block.usable > 0 ? Math.min(1, block.allocated / block.usable) : 0,
    emptySince: block.emptySince,
  };
  return { ...cell, title: blockTitle(cell) };
}

function freeCell(index: string): BlockCell {
  const cell = {
    index,
    claimed: false,
    hostId: null,
    hostName: null,
    color: FREE_BLOCK_COLOR,
    first: null,
    last: null,
    allocated: 0,
    coolingDown: 0,
    usable: null,
    fill: 0,
    emptySince: null,
  };
  return { ...cell, title: blockTitle(cell) };
}

/**
 * The block map of a pool: one cell per block in index order, coloured by owning host, with its
 * fill level. A pool with more than `maxCells` blocks (a large IPv6 pool) shows its claimed blocks only.
 */
export function buildBlockMap(
  pool: Pick<PoolDetail, "blocks" | "usage">,
  maxCells = MAX_BLOCK_CELLS,
): BlockMap {
  const colors = hostColorMap(pool.blocks);
  const claimed = [...pool.blocks].sort((a, b) => compareIndex(a.index, b.index));
  const total = BigInt(pool.usage.blocksTotal);
  const legend = legendOf(pool, colors);
  if (total <= BigInt(maxCells)) {
    const byIndex = new Map(claimed.map((b) => [BigInt(b.index).toString(), b]));
    const cells: BlockCell[] = [];
    for (let i = 0; i < Number(total); i++) {
      const block = byIndex.get(String(i));
      cells.push(
        block ? claimedCell(block, colors.get(block.hostId) ?? FREE_BLOCK_COLOR) : freeCell(String(i)),
      );
    }
    return { cells, legend, complete: true, blocksTotal: pool.usage.blocksTotal, hiddenClaimed: 0 };
  }
  const shown = claimed.slice(0, maxCells);
  return {
    cells: shown.map((b) => claimedCell(b, colors.get(b.hostId) ?? FREE_BLOCK_COLOR)),
    legend,
    complete: false,
    blocksTotal: pool.usage.blocksTotal,
    hiddenClaimed: claimed.length - shown.length,
  };
}

function legendOf(
  pool: Pick<PoolDetail, "blocks" | "usage">,
  colors: Map<string | null, string>,
): HostLegendEntry[] {
  const byHost = new Map<string | null, HostLegendEntry>();
  for (const [hostId, color] of colors) {
    const usage = pool.usage.hosts.find((h) => h.hostId === hostId);
    const blocks = pool.blocks.filter((b) => b.hostId === hostId);
    byHost.set(hostId, {
      hostId,
      hostName: usage?.hostName ?? blocks[0]?.hostName ?? "(no host)",
      color,
      blocks: usage?.blocks ?? blocks.length,
      allocated: usage?.allocated ?? blocks.reduce((sum, b) => sum + b.allocated, 0),
      capacity: usage?.capacity ?? blocks.reduce((sum, b) => sum + b.usable, 0),
    });
  }
  return [...byHost.values()];
}

/** Grid columns: 16 for small pools, up to 64, about square. */
export function blockColumns(cellCount: number): number {
  if (cellCount <= 16) return Math.max(1, cellCount);
  return Math.min(64, Math.max(16, 2 ** Math.ceil(Math.log2(Math.sqrt(cellCount)))));
}

/** "3 %" of used / usable, from decimal strings (IPv6 sizes exceed 2^53). */
export function usagePercent(used: number, usable: string): number {
  const total = BigInt(usable);
  if (total === 0n) return 0;
  const permille = (BigInt(used) * 1000n) / total;
  return Number(permille) / 10;
}
