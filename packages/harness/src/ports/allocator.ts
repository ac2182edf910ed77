import { unlinkSync } from 'node:fs';
import { QuiesceError } from '@quiesce/runtime';
import { bindCheck } from './bind-check.js';
import { ensureSharedDir } from './dir-guard.js';
import { portFsError } from './fs-error.js';
import { leasePath, removeIfOwned, take, type LockRecord } from './lease-dir.js';
import { candidateOrder, type CandidateOrder, type PortRange } from './layout.js';
import { defaultLeaseDir, resolveAllocatorOptions, type LoopbackHost, type PortAllocatorOptions, type ResolvedAllocatorOptions } from './options.js';
import { ownIdentity } from './proc-start-time.js';
import { claimRunBlock } from './run-block.js';

/** A port number reserved host-wide until `release()` (tier 4 in docs/architecture.md, "Ports"). */
export interface PortLease {
  readonly port: number;
  /** The lease file that reserves it. */
  readonly path: string;
  /** Leases taken to get this one: 1, plus one per number that failed its bind check (EADDRINUSE). */
  readonly attempts: number;
  /** True when the number was taken over from a lease whose owner had died. */
  readonly reclaimed: boolean;
  readonly released: boolean;
  /** Give the number back (delete the lease file). Idempotent. */
  release(): Promise<void>;
}

/** Where an allocator leases from, once it has claimed its run's block. */
export interface PortAllocatorLayout {
  readonly dir: string;
  readonly runId: string;
  readonly poolId: number;
  /** The run's block (index and bounds) and whether it had to be shared with another run. */
  readonly runBlock: number;
  readonly sharedBlock: boolean;
  readonly block: PortRange;
  /** This pool's slice of the block: tried first. */
  readonly slice: PortRange;
  /** How many numbers are leasable in all. */
  readonly size: number;
  readonly ephemeral: PortRange | undefined;
  readonly host: LoopbackHost;
}

export interface PortAllocator {
  readonly dir: string;
  /**
   * Lease a number: exclusive across every process using the same directory, outside the
   * ephemeral range, bind-verified on the host just before it is returned, and retried with a
   * fresh number when the bind check finds it taken. Rejects with PORT_EXHAUSTED when no number
   * can be had, PORT_DIR_UNSAFE when the directory is one another user could tamper with (see
   * dir-guard.ts), and PORT_FS_ERROR when the file system fails (EACCES, EROFS, ENOSPC, EMFILE, ...).
   */
  lease(): Promise<PortLease>;
  /** The layout this allocator leases from (claims the run's block on first use). */
  layout(): Promise<PortAllocatorLayout>;
  /** Numbers this allocator holds now. */
  held(): number[];
}

/**
 * A standalone port allocator (a TestSystem uses one through `system.port()`).
 *
 * ```ts
 * const ports = createPortAllocator();
 * const lease = await ports.lease();
 * spawn('python3', ['worker.py', String(lease.port)]);
 * // ...
 * await lease.release();
 * ```
 */
export function createPortAllocator(options: PortAllocatorOptions = {}): PortAllocator {
  return new LockDirAllocator(resolveAllocatorOptions(options));
}

let shared: PortAllocator | undefined;

/** The allocator TestSystems share in this process (options from the environment). */
export function defaultPortAllocator(): PortAllocator {
  return (shared ??= createPortAllocator());
}

// Leases still held when the process exits normally are deleted on the way out; a killed
// process leaves them behind, and the next allocator that meets them reclaims them.
const heldPaths = new Set<string>();
let exitHook = false;
function trackForExit(path: string): void {
  heldPaths.add(path);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const p of heldPaths) {
      try {
        unlinkSync(p);
      } catch {
        // Already gone.
      }
    }
  });
}

/** After a full pass over the home slice found nothing, look away for this many leases before looking home again. */
const HOME_RECHECK_EVERY = 64;

interface Plan {
  readonly order: CandidateOrder;
  readonly layout: PortAllocatorLayout;
}

class LockDirAllocator implements PortAllocator {
  readonly #o: ResolvedAllocatorOptions;
  readonly #busy = new Set<number>(); // held by this allocator, or being tried right now
  #plan: Promise<Plan> | undefined;
  #homeCursor = 0;
  #awayCursor = 0;
  #skipHome = 0;

  constructor(options: ResolvedAllocatorOptions) {
    this.#o = options;
  }

  get dir(): string {
    return this.#o.dir;
  }

  held(): number[] {
    return [...this.#busy].sort((a, b) => a - b);
  }

  async layout(): Promise<PortAllocatorLayout> {
    return (await this.#ready()).layout;
  }

  async lease(): Promise<PortLease> {
    const { order } = await this.#ready();
    const { dir, host, maxAttempts } = this.#o;
    const identity = ownIdentity();
    const record: LockRecord = { ...identity, run: this.#o.runId, pool: this.#o.poolId };
    let attempts = 0;
    for (const port of this.#candidates(order)) {
      if (this.#busy.has(port)) continue;
      this.#busy.add(port); // claimed synchronously: a concurrent lease() in this process skips it
      let failure: string | undefined;
      try {
        const taken = await take(dir, `port-${port}`, record);
        if (!taken.taken) {
          this.#busy.delete(port);
          continue;
        }
        attempts++;
        failure = await bindCheck(port, host);
        if (failure === undefined) return this.#grant(port, attempts, taken.reclaimed, order);
        // Someone outside the lock directory listens there: give the number back and try another.
        removeIfOwned(leasePath(dir, port), identity);
      } catch (error) {
        this.#busy.delete(port);
        throw portFsError(error, dir);
      }
      this.#busy.delete(port);
      // Out of descriptors: every further number would fail the same way.
      if (failure === 'EMFILE' || failure === 'ENFILE') {
        throw portFsError(Object.assign(new Error(failure), { code: failure, syscall: 'bind', path: `${host}:${port}` }), dir);
      }
      if (attempts >= maxAttempts) {
        throw new QuiesceError(
          'PORT_EXHAUSTED',
          `lease(): ${attempts} leased numbers in a row failed their bind check on ${host} (last: ${port}, ${failure}); maxAttempts is ${maxAttempts}`,
          { dir, attempts, port, failure },
        );
      }
    }
    const size = order.home.length + order.away.length;
    throw new QuiesceError(
      'PORT_EXHAUSTED',
      `lease(): no free port among the ${size} leasable numbers in ${dir} (${this.#busy.size} held by this allocator, ` +
        'the rest by live processes, by dead processes of other users, or failing their bind check)',
      { dir, size, attempts },
    );
  }

  /** Every leasable number once: the home slice round robin from its cursor, then the rest. */
  *#candidates(order: CandidateOrder): Generator<number> {
    const { home, away } = order;
    if (this.#skipHome > 0) this.#skipHome--;
    else {
      for (let i = 0; i < home.length; i++) {
        const port = home[this.#homeCursor]!;
        this.#homeCursor = (this.#homeCursor + 1) % home.length;
        yield port;
      }
      this.#skipHome = HOME_RECHECK_EVERY; // reached only when the whole home slice was taken
    }
    for (let i = 0; i < away.length; i++) {
      const port = away[this.#awayCursor]!;
      this.#awayCursor = (this.#awayCursor + 1) % away.length;
      yield port;
    }
    if (this.#skipHome > 0) {
      // Home was skipped this time: it may have freed up since.
      this.#skipHome = 0;
      for (const port of home) yield port;
    }
  }

  #grant(port: number, attempts: number, reclaimed: boolean, order: CandidateOrder): PortLease {
    const path = leasePath(this.#o.dir, port);
    trackForExit(path);
    let released = false;
    let releasing: Promise<void> | undefined;
    const release = (): Promise<void> =>
      (releasing ??= (async () => {
        try {
          removeIfOwned(path, ownIdentity());
        } catch (error) {
          throw portFsError(error, this.#o.dir);
        } finally {
          released = true;
          heldPaths.delete(path);
          this.#busy.delete(port);
          if (order.home.includes(port)) this.#skipHome = 0;
        }
      })());
    return {
      port,
      path,
      attempts,
      reclaimed,
      get released() {
        return released;
      },
      release,
    };
  }

  #ready(): Promise<Plan> {
    if (this.#plan) return this.#plan;
    const plan = this.#prepare();
    this.#plan = plan;
    // A failed preparation (an unusable directory) is retried by the next call, not cached.
    plan.catch(() => {
      if (this.#plan === plan) this.#plan = undefined;
    });
    return plan;
  }

  async #prepare(): Promise<Plan> {
    const o = this.#o;
    let claim: Awaited<ReturnType<typeof claimRunBlock>>;
    try {
      ensureSharedDir(o.dir, o.dir === defaultLeaseDir());
      claim = await claimRunBlock(o.dir, o.ports.length, o.runBlocks, o.runId, o.runOwnerPid);
    } catch (error) {
      throw portFsError(error, o.dir);
    }
    const order = candidateOrder(o.ports, o.runBlocks, o.poolSlices, claim.block, o.poolId);
    // Start each pool at a different offset of its slice: workers that share a slice then
    // start apart instead of racing for the same first files.
    this.#homeCursor = order.home.length > 0 ? (process.pid * 7919) % order.home.length : 0;
    return {
      order,
      layout: {
        dir: o.dir,
        runId: o.runId,
        poolId: o.poolId,
        runBlock: claim.block,
        sharedBlock: claim.shared,
        block: order.block,
        slice: order.slice,
        size: o.ports.length,
        ephemeral: o.ephemeral,
        host: o.host,
      },
    };
  }
}
