import type { Writable } from 'node:stream';
import { InvalidOptionError, QuiesceError, type QuiesceEvents } from '@quiesce/runtime';
import type { Fault } from '../fault.js';
import type { ArmedFault } from '../fault.js';
import type { ChaosEvents } from '../events.js';
import type { Host } from '../host.js';
import { FAULT_KINDS } from '../kinds.js';

/**
 * What chaos needs from an OS process the system spawned: @quiesce/harness's TrackedProcess (what
 * `system.spawn` resolves with) has all of it.
 */
export interface ChaosProcess {
  /** The OS pid, which is also its process group id. */
  readonly pid: number;
  readonly label: string;
  readonly source: string;
  readonly stdin: Writable | null;
  /** Signal the whole group, recorded as `os.kill` by 'chaos'; false once the group is gone. */
  kill(signal: NodeJS.Signals, by: 'chaos'): boolean;
  alive(): boolean;
}

type Arm = (type: string, target: string, options: Record<string, unknown>, onHeal: () => void) => ArmedFault;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGSTOP', 'SIGCONT'];

/**
 * Faults on OS processes the test's system spawned (`system.spawn`), sent to the whole process
 * group. A pid number, or a process another system (or nobody) owns, is refused: chaos never
 * signals what the system did not start.
 */
export class OsFaults {
  readonly #host: Host;
  readonly #arm: Arm;
  readonly #count: (kind: string) => void;
  /** Paused groups and the fault that paused them. */
  readonly #paused = new Map<ChaosProcess, ArmedFault>();

  /** @internal */
  constructor(host: Host, arm: Arm, count: (kind: string) => void) {
    this.#host = host;
    this.#arm = arm;
    this.#count = count;
  }

  /** SIGKILL to the group. Returns whether it was sent (false once the group is gone). */
  kill(proc: ChaosProcess): boolean {
    return this.signal(proc, 'SIGKILL');
  }

  /** SIGTERM to the group. */
  term(proc: ChaosProcess): boolean {
    return this.signal(proc, 'SIGTERM');
  }

  /** Any of SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGSTOP, SIGCONT to the group. */
  signal(proc: ChaosProcess, signal: NodeJS.Signals): boolean {
    this.#owned('signal', proc);
    if (!SIGNALS.includes(signal)) throw new InvalidOptionError('signal(signal)', signal, SIGNALS.map((s) => `'${s}'`).join(', '));
    return this.#send(proc, signal);
  }

  /** SIGSTOP to the group: it runs no more until healed (SIGCONT). Calls to it time out; real time flows. */
  pause(proc: ChaosProcess): Fault {
    this.#owned('pause', proc);
    const already = this.#paused.get(proc);
    if (already) return already;
    const fault = this.#arm('pause', proc.source, { pid: proc.pid }, () => {
      this.#paused.delete(proc);
      this.#send(proc, 'SIGCONT');
    });
    this.#paused.set(proc, fault);
    if (!this.#send(proc, 'SIGSTOP', fault)) fault.heal();
    return fault;
  }

  /** SIGCONT to a paused group: heals the pause fault. Returns whether it was paused. */
  resume(proc: ChaosProcess): boolean {
    this.#owned('resume', proc);
    const fault = this.#paused.get(proc);
    fault?.heal();
    return fault !== undefined;
  }

  /** Whether chaos paused this process and has not resumed it. */
  isPaused(proc: ChaosProcess): boolean {
    return this.#paused.has(proc);
  }

  /**
   * Make a cooperating program exit with `code`: writes `exit <code>` to its stdin. The
   * faulty-child fixture (FAULTY_CHILD) understands it; spawn it with `stdin: 'pipe'`.
   */
  exit(proc: ChaosProcess, code: number): void {
    if (!Number.isInteger(code) || code < 0 || code > 255) throw new InvalidOptionError('exit(code)', code, 'an exit code: an integer from 0 to 255');
    this.command(proc, `exit ${code}`);
  }

  /** Write one command line to a cooperating program's stdin (see FAULTY_CHILD for the commands it knows). */
  command(proc: ChaosProcess, line: string): void {
    this.#owned('command', proc);
    if (typeof line !== 'string' || line === '' || line.includes('\n')) throw new InvalidOptionError('command(line)', line, 'one non-empty line without "\\n"');
    const stdin = this.#stdin('command', proc);
    this.#record(FAULT_KINDS.osCommand, proc, { command: line });
    stdin.write(`${line}\n`);
  }

  /** Close the program's stdin (it reads end-of-file). */
  closeStdin(proc: ChaosProcess): void {
    this.#owned('closeStdin', proc);
    const stdin = this.#stdin('closeStdin', proc);
    this.#record(FAULT_KINDS.osCommand, proc, { command: 'close stdin' });
    stdin.end();
  }

  #send(proc: ChaosProcess, signal: NodeJS.Signals, fault?: ArmedFault): boolean {
    if (!proc.alive()) return false;
    if (fault) fault.fire(FAULT_KINDS.osSignal, { pid: proc.pid, signal });
    else this.#record(FAULT_KINDS.osSignal, proc, { signal });
    return proc.kill(signal, 'chaos');
  }

  #record<K extends typeof FAULT_KINDS.osCommand | typeof FAULT_KINDS.osSignal>(kind: K, proc: ChaosProcess, data: Omit<ChaosEvents[K], 'pid'>): void {
    this.#host.runtime.record(kind, proc.source, { pid: proc.pid, ...data } as unknown as QuiesceEvents[K]);
    this.#count(kind);
  }

  #stdin(where: string, proc: ChaosProcess): Writable {
    const stdin = proc.stdin;
    if (!stdin || stdin.writableEnded || stdin.destroyed) {
      throw new InvalidOptionError(`${where}(proc)`, proc.label, "a process spawned with stdin: 'pipe' whose stdin is still open");
    }
    return stdin;
  }

  #owned(where: string, proc: unknown): asserts proc is ChaosProcess {
    if (typeof proc === 'number') {
      throw new QuiesceError('NOT_OWNED', `${where}: got the pid number ${proc}; chaos never signals a bare pid. Pass the process system.spawn resolved with`, {
        pid: proc,
      });
    }
    const p = proc as Partial<ChaosProcess>;
    if (typeof proc !== 'object' || proc === null || typeof p.kill !== 'function' || typeof p.alive !== 'function' || typeof p.pid !== 'number') {
      throw new InvalidOptionError(`${where}(proc)`, proc, 'an OS process the system spawned (what system.spawn resolves with)');
    }
    const system = this.#host.system;
    if (!system?.owns(proc)) {
      const whose = system ? "this test's system did not spawn it" : 'chaos on a bare Runtime owns no OS processes';
      throw new QuiesceError(
        'NOT_OWNED',
        `${where}: ${p.label ?? `pid ${p.pid}`} is not owned here (${whose}); chaos only touches what the current system started`,
        { pid: p.pid },
      );
    }
  }
}
