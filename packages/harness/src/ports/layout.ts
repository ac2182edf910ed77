import { readFileSync } from 'node:fs';

/** An inclusive range of port numbers. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** The default leasing range: registered ports below Linux's default ephemeral range. */
export const DEFAULT_LEASE_RANGE: PortRange = { min: 10_000, max: 32_767 };

/** Linux's default ephemeral range, used when /proc does not say. */
export const DEFAULT_EPHEMERAL_RANGE: PortRange = { min: 32_768, max: 60_999 };

/**
 * The kernel's ephemeral range (ports it hands to `bind(0)` and outgoing connections): leased
 * ports stay out of it, so the kernel never gives a leased number to someone else.
 */
export function readEphemeralRange(path = '/proc/sys/net/ipv4/ip_local_port_range'): PortRange {
  try {
    const [min, max] = readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(min) && Number.isInteger(max) && min! >= 1 && min! <= max! && max! <= 65_535) return { min: min!, max: max! };
  } catch {
    // Not Linux, or /proc not mounted.
  }
  return DEFAULT_EPHEMERAL_RANGE;
}

/** The ports that can be leased: `from` (a range or an explicit list) minus the ephemeral range, ascending. */
export function usablePorts(from: PortRange | readonly number[], ephemeral: PortRange | undefined): number[] {
  const all = Array.isArray(from) ? [...new Set(from as readonly number[])].sort((a, b) => a - b) : rangeToList(from as PortRange);
  return ephemeral ? all.filter((p) => p < ephemeral.min || p > ephemeral.max) : all;
}

function rangeToList({ min, max }: PortRange): number[] {
  const list: number[] = [];
  for (let p = min; p <= max; p++) list.push(p);
  return list;
}

/** Where one allocator looks first and where it spills to. */
export interface CandidateOrder {
  /** Its pool's slice of its run's block: tried first, round robin. */
  readonly home: readonly number[];
  /** The rest of its run's block, then the other blocks: tried when home is full. */
  readonly away: readonly number[];
  /** The block's and the slice's bounds, for diagnostics. */
  readonly block: PortRange;
  readonly slice: PortRange;
}

/** The half-open bounds [start, end) of part `index` of `count` equal parts of `length` items. */
function part(length: number, count: number, index: number): [number, number] {
  return [Math.floor((index * length) / count), Math.floor(((index + 1) * length) / count)];
}

/** The number of run blocks that `size` ports can actually hold (each needs at least one port). */
export function effectiveBlocks(size: number, runBlocks: number): number {
  return Math.max(1, Math.min(runBlocks, size));
}

/**
 * Split `ports` into `runBlocks` blocks (one per concurrent run) and each block into `poolSlices`
 * slices (one per Vitest pool id), and order the candidates of (block, slice): its own slice,
 * then the rest of its block, then every other block. Disjoint slices keep concurrent workers
 * from contending for the same files; the lease files, not the layout, guarantee exclusivity.
 */
export function candidateOrder(ports: readonly number[], runBlocks: number, poolSlices: number, block: number, slice: number): CandidateOrder {
  const blocks = effectiveBlocks(ports.length, runBlocks);
  const [bs, be] = part(ports.length, blocks, block % blocks);
  const slices = Math.max(1, Math.min(poolSlices, be - bs));
  const [s0, s1] = part(be - bs, slices, slice % slices);
  const ss = bs + s0;
  const se = bs + s1;
  return {
    home: ports.slice(ss, se),
    away: [...ports.slice(se, be), ...ports.slice(bs, ss), ...ports.slice(be), ...ports.slice(0, bs)],
    block: { min: ports[bs]!, max: ports[be - 1]! },
    slice: { min: ports[ss]!, max: ports[se - 1]! },
  };
}
