import type { ScriptSeedResult } from './result.js';

/** Progress of a chaos script: one line rewritten in place on a terminal, a plain line per seed otherwise. */
export class Progress {
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #total: number;
  #done = 0;
  #failed = 0;
  #faults = 0;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, total: number) {
    this.#out = out;
    this.#total = total;
  }

  seed(result: ScriptSeedResult): void {
    this.#done++;
    if (result.outcome !== 'held') this.#failed++;
    const faults = Object.values(result.faults).reduce((a, b) => a + b, 0);
    this.#faults += faults;
    if (this.#out.isTTY) {
      this.#out.write(`\r\x1b[2K[${this.#done}/${this.#total}] seed ${result.seed} ${result.outcome} · ${this.#failed} failed · ${this.#faults} faults`);
    } else {
      const why = result.outcome === 'held' ? '' : `: ${result.violation ?? result.error}`;
      this.#out.write(`seed ${result.seed}: ${result.outcome} (${faults} faults)${why}\n`);
    }
  }

  done(): void {
    if (this.#out.isTTY && this.#done > 0) this.#out.write('\n');
  }
}
