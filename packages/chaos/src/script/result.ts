/** What became of one seed. */
export interface ScriptSeedResult {
  readonly seed: number;
  /** 'held', 'failed' (an invariant, the liveness phase, or a throw), or 'not_started' (`start` failed). */
  readonly outcome: 'held' | 'failed' | 'not_started';
  /** Why it failed or did not start: the first line. */
  readonly error?: string;
  /** The invariant that failed (`name: message`), when a monkey's safety phase found one. */
  readonly violation?: string;
  /** Faults injected in this seed's run, by history kind. */
  readonly faults: Readonly<Record<string, number>>;
  readonly replay: string;
}
