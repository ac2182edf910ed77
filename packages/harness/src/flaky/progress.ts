import type { Writable } from 'node:stream';

export interface RunProgress {
  done: number;
  total: number;
  /** Failures (a test failing in a run) so far. */
  failures: number;
  /** Tests run in the last run and how many of them failed. */
  ran: number;
  failed: number;
  shuffleSeed: number;
  harnessSeed: number;
  /** Mean real milliseconds per run so far. */
  meanRunMs: number;
}

export interface Progress {
  run(progress: RunProgress): void;
  /** A line about something else than a run (bisection). */
  note(text: string): void;
  end(): void;
}

const WIDTH = 24;

/** On a terminal: one bar, redrawn in place, with runs done, failures so far and the time left. */
export function barProgress(out: Writable & { columns?: number }): Progress {
  let drawn = false;
  const clear = (): void => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    run(p) {
      const filled = Math.round((p.done / Math.max(1, p.total)) * WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
      const left = p.total - p.done;
      const eta = left > 0 ? ` · ~${formatSeconds((left * p.meanRunMs) / 1000)} left at most` : '';
      clear();
      out.write(`[quiesce] ${bar} ${p.done}/${p.total} runs · ${p.failures} ${p.failures === 1 ? 'failure' : 'failures'} so far${eta}`);
      drawn = true;
    },
    note(text) {
      clear();
      out.write(`[quiesce] ${text}\n`);
    },
    end() {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}

/** Not on a terminal (CI logs, pipes): one plain line per run. */
export function lineProgress(out: Writable): Progress {
  return {
    run(p) {
      out.write(
        `[quiesce] run ${p.done}/${p.total}: ${p.ran} tests, ${p.failed} failed (${p.failures} failures so far); ` +
          `shuffle seed ${p.shuffleSeed}, harness seed ${p.harnessSeed}\n`,
      );
    },
    note(text) {
      out.write(`[quiesce] ${text}\n`);
    },
    end: () => undefined,
  };
}

export function silentProgress(): Progress {
  return { run: () => undefined, note: () => undefined, end: () => undefined };
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.ceil(s - m * 60)).padStart(2, '0')}s`;
}
