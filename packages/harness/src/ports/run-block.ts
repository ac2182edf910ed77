import { take } from './lease-dir.js';
import { createExclusiveComplete } from './lock-file.js';
import { effectiveBlocks } from './layout.js';
import { identityOf } from './proc-start-time.js';

export interface RunBlock {
  /** The block this run leases from first. */
  readonly block: number;
  /** True when every block was claimed by another live run, so this run shares its hashed block. */
  readonly shared: boolean;
}

/** FNV-1a: a stable, well spread hash of the run id, so a run tries the same block first every time. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Claim a block of the range for this run: a `run-<n>` file naming the run and its main process.
 * Workers of the same run find their run's claim and share the block; a claim whose main process
 * is gone is reclaimed. With every block held by another live run, the run shares its hashed
 * block (the lease files still keep every port exclusive).
 */
export async function claimRunBlock(dir: string, size: number, runBlocks: number, runId: string, runOwnerPid: number): Promise<RunBlock> {
  const blocks = effectiveBlocks(size, runBlocks);
  const first = hash(runId) % blocks;
  const record = { ...identityOf(runOwnerPid), run: runId };
  for (let k = 0; k < blocks; k++) {
    const block = (first + k) % blocks;
    const outcome = await take(dir, `run-${block}`, record, createExclusiveComplete);
    if (outcome.taken || outcome.record?.run === runId) return { block, shared: false };
  }
  return { block: first, shared: true };
}
