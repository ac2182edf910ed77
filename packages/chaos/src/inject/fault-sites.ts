import { AsyncLocalStorage } from 'node:async_hooks';
import { InvalidOptionError, QuiesceError, type Random, type Runtime } from '@quiesce/runtime';
import { checkOptions } from '@quiesce/runtime/internal';
import { countersOf } from '../fault.js';
import { resolveHost, type ChaosHost } from '../host.js';
import { FAULT_KINDS } from '../kinds.js';
import { checkRate } from '../options.js';

/**
 * Fault sites in code under test, two-tier like FoundationDB's BUGGIFY: `maybeFault('site')`
 * returns false — and costs one comparison — unless a test system has enabled fault sites. Then
 * each site is activated once per run with probability `activation` (its first hit decides), and
 * an active site fires on each hit with probability `fire`; both draws come from the site's own
 * fork of the test's seed, so adding a site never shifts another's.
 */

/** Enabled sets, newest last; the innermost `run` scope wins over the newest. */
const enabled: FaultSites[] = [];
const scope = new AsyncLocalStorage<FaultSites>();

/** True when this hit of `site` should fail. Nearly free while no test has enabled fault sites. */
export function maybeFault(site: string): boolean {
  if (enabled.length === 0) return false;
  const sites = scope.getStore() ?? enabled[enabled.length - 1]!;
  return sites.hit(site);
}

export interface FaultSitesOptions {
  /** Probability that a site is active for this run. Default 0.25. */
  activation?: number;
  /** Probability that an active site fires on a hit. Default 0.25. */
  fire?: number;
  /** Decide some sites instead of drawing: `{ 'db.write': true }` is always active, false never. */
  force?: Record<string, boolean>;
}

/** Per-site figures: whether it is active this run, how often it was hit and fired. */
export interface SiteStats {
  readonly active: boolean;
  readonly hits: number;
  readonly fired: number;
}

export class FaultSites {
  readonly activation: number;
  readonly fire: number;
  /** The runtime whose history records the sites' events. */
  readonly runtime: Runtime;
  readonly #random: Random;
  readonly #force: Readonly<Record<string, boolean>>;
  readonly #sites = new Map<string, { active: boolean; random: Random; hits: number; fired: number }>();
  #disposed = false;

  /** @internal use enableFaultSites. */
  constructor(runtime: Runtime, random: Random, activation: number, fire: number, force: Record<string, boolean>) {
    this.runtime = runtime;
    this.#random = random;
    this.activation = activation;
    this.fire = fire;
    this.#force = force;
  }

  /** @internal maybeFault's work once sites are enabled. */
  hit(site: string): boolean {
    if (typeof site !== 'string' || site === '') throw new InvalidOptionError('maybeFault(site)', site, 'a non-empty string naming the site');
    let state = this.#sites.get(site);
    if (!state) {
      const random = this.#random.fork(`site:${site}`);
      const forced = Object.hasOwn(this.#force, site) ? this.#force[site] : undefined;
      const active = forced ?? random.bool(this.activation);
      state = { active, random, hits: 0, fired: 0 };
      this.#sites.set(site, state);
      if (active) this.runtime.record(FAULT_KINDS.siteActive, site, { site, ...(forced !== undefined ? { forced } : {}) });
    }
    state.hits++;
    if (!state.active || !state.random.bool(this.fire)) return false;
    state.fired++;
    this.runtime.record(FAULT_KINDS.site, site, { site, hit: state.hits });
    return true;
  }

  /** Run `fn` with these sites in its async context (for concurrent tests in one worker). */
  run<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new InvalidOptionError('run(fn)', fn, 'a function');
    return scope.run(this, fn);
  }

  /** Every site hit so far. */
  stats(): Record<string, SiteStats> {
    const out: Record<string, SiteStats> = {};
    for (const [site, { active, hits, fired }] of [...this.#sites].sort(([a], [b]) => (a < b ? -1 : 1))) out[site] = { active, hits, fired };
    return out;
  }

  /** maybeFault is inert again (unless other sets are enabled). Teardown does it for a test's system. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const i = enabled.indexOf(this);
    if (i >= 0) enabled.splice(i, 1);
  }
}

/** Enable fault sites for a test's system (or a runtime), from its seed, until it is torn down (or `dispose`). */
export function enableFaultSites(host: ChaosHost, options: FaultSitesOptions = {}): FaultSites {
  const h = resolveHost('enableFaultSites(host)', host);
  checkOptions('enableFaultSites options', options, ['activation', 'fire', 'force']);
  const activation = options.activation === undefined ? 0.25 : checkRate('enableFaultSites options.activation', options.activation);
  const fire = options.fire === undefined ? 0.25 : checkRate('enableFaultSites options.fire', options.fire);
  const force = options.force ?? {};
  if (typeof force !== 'object' || force === null || Array.isArray(force) || Object.values(force).some((v) => typeof v !== 'boolean')) {
    throw new InvalidOptionError('enableFaultSites options.force', force, "an object of site names to booleans, e.g. { 'db.write': true }");
  }
  if (enabled.some((s) => s.runtime === h.runtime)) {
    throw new QuiesceError('INVALID_OPTION', 'enableFaultSites: fault sites are already enabled for this system; dispose the first set to enable another');
  }
  const n = ++countersOf(h.runtime).chaos;
  const sites = new FaultSites(h.runtime, h.random.fork(`sites#${n}`), activation, fire, { ...force });
  enabled.push(sites);
  h.system?.own({ kind: 'chaos', label: 'fault sites', dispose: () => sites.dispose(), alive: () => false });
  return sites;
}
