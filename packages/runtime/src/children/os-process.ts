import { basename } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import type { ExitReason } from '../process/exit-reason.js';
import type { Pid } from '../process/pid.js';
import type { Runtime } from '../process/runtime.js';
import type { ChildSpec } from '../supervisor/spec.js';
import { OsProcessGroup } from './os/group.js';
import { checkObject, checkReadyTimeout, type ChildFields, type ProxySpawnOptions } from './options.js';
import { startProxy, type ExternalHandle, type ProxyEvents } from './proxy.js';
import { proxiedChildSpec, spawnProxied, type ProxiedChildKind } from './spec-builders.js';

/**
 * An OS process as a runtime child. A proxy process (the Pid you get) stands for the OS process
 * and its whole process group:
 *
 * - Start: `command` runs with `args` as an argv array (never through a shell), detached so it
 *   leads a new process group, stdin ignored, stdout and stderr piped. The start resolves when a
 *   stdout line satisfies `ready`, or as soon as the program is running when there is no `ready`.
 *   It fails (rejects, or `{ error }` for a supervisor) with SPAWN_FAILED when the program cannot
 *   be started (ENOENT, EACCES) or exits before it is ready, and with READY_TIMEOUT after
 *   `readyTimeout` kernel milliseconds, killing the group first. A failed start resolves only
 *   once the OS process is gone, and leaves no proxy and no link behind.
 * - Exit: when the OS process exits, the proxy exits with `'normal'` for exit code 0,
 *   `{ exit_code: n }` for code n, or `{ signal: 'SIGKILL' }` (etc.) when a signal ended it. Any
 *   processes left in its group are then killed with SIGKILL so nothing outlives it.
 * - Stop: the exit signal `shutdown` (or `{ shutdown: term }`) sends SIGTERM to the group; the
 *   proxy exits with that same reason once the OS process has exited. `kill` kills the proxy at
 *   once and its death sends SIGKILL to the group. Any other abnormal exit signal (a linked
 *   process crashing) sends SIGKILL to the group and the proxy exits with that reason at once.
 *   A supervisor's shutdown timeout therefore ends in SIGKILL for a program that ignores SIGTERM.
 * - Time: while the OS process lives it is a live external actor of the runtime: waits wait for
 *   its events, and a virtual clock flows at the pace of real time instead of jumping, so a
 *   shutdown timeout or `readyTimeout` fires after its real duration.
 * - Reaping: its group is registered with the runtime's reaper (RuntimeOptions.reaper), so it
 *   dies even if this process is killed with SIGKILL.
 * - History (source: the label; default `os:<command's basename>`): `os.spawn` { command, args,
 *   pid }, `os.ready` { pid, line }, `os.stdout` { pid, line } for every line when `stdoutLines`,
 *   and `os.exit` { pid, code, signal } once the process has exited and its output is closed.
 */
export interface OsProcessOptions {
  /** The program: a path or a name looked up in PATH. */
  command: string;
  /** Its arguments, passed as argv (no shell quoting applies). Default []. */
  args?: readonly string[];
  /** Working directory. Default: this process's. */
  cwd?: string;
  /** The complete environment of the program (it replaces, not extends, this process's). Default: this process's. */
  env?: Readonly<Record<string, string>>;
  /** The start completes when a stdout line matches. Default: as soon as the program runs. */
  ready?: RegExp | ((line: string) => boolean);
  /** Kernel milliseconds to wait for `ready` before failing the start. Default: no limit. */
  readyTimeout?: number;
  /** Record every stdout line as an `os.stdout` event. Default false. */
  stdoutLines?: boolean;
}

/** osProcess options: the OS process's, plus the child-spec fields a supervisor uses. */
export interface OsProcessChildOptions extends OsProcessOptions, ChildFields {}

interface NormalisedOsOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly ready: ((line: string) => boolean) | undefined;
  /** `matching /^ready/`, for errors. */
  readonly readyDescription: string | undefined;
  readonly readyTimeout: number | undefined;
  readonly stdoutLines: boolean;
}

const OS_KEYS = ['command', 'args', 'cwd', 'env', 'ready', 'readyTimeout', 'stdoutLines'] as const;

const OS_PROCESS: ProxiedChildKind<OsProcessOptions, NormalisedOsOptions> = {
  specName: 'osProcess',
  spawnName: 'spawnOsProcess',
  keys: OS_KEYS,
  normalise: (where, options) => normaliseOsOptions(where, options as unknown as Record<string, unknown>),
  launch: (runtime, os, link, label) => launchOsProcess(runtime, os, link, label),
};

/** A child spec for a supervisor whose child is an OS process (see OsProcessOptions for the semantics). */
export function osProcess(id: string, options: OsProcessChildOptions): ChildSpec {
  return proxiedChildSpec(OS_PROCESS, id, options);
}

/**
 * Start an OS process represented by a new runtime process; resolves with that proxy's pid once
 * it is ready. Bad options throw at once (nothing is started); a failed start rejects with a
 * QuiesceError (SPAWN_FAILED, READY_TIMEOUT).
 */
export function spawnOsProcess(runtime: Runtime, options: OsProcessOptions, spawnOptions: ProxySpawnOptions = {}): Promise<Pid> {
  return spawnProxied(OS_PROCESS, runtime, options, spawnOptions);
}

/** The proxy's exit reason for an OS process that ended with `code` or `signal`. */
export function osExitReason(code: number | null, signal: NodeJS.Signals | null): ExitReason {
  if (signal !== null) return { signal };
  return code === 0 ? 'normal' : { exit_code: code };
}

function launchOsProcess(runtime: Runtime, os: NormalisedOsOptions, link: Pid | undefined, label: string | undefined): Promise<Pid> {
  const name = label ?? `os:${basename(os.command)}`;
  return startProxy(runtime, {
    label: name,
    ...(link ? { link } : {}),
    ...(os.readyTimeout !== undefined ? { readyTimeout: os.readyTimeout } : {}),
    what: `OS process ${JSON.stringify(os.command)}`,
    launch: (events) => launchGroup(runtime, os, name, events),
  });
}

/** Start the program as an OsProcessGroup and report its life to the proxy. */
function launchGroup(runtime: Runtime, os: NormalisedOsOptions, label: string, events: ProxyEvents): ExternalHandle {
  const group = new OsProcessGroup(runtime, {
    command: os.command,
    args: os.args,
    cwd: os.cwd,
    env: os.env,
    stdin: 'ignore',
    source: label,
    stdoutLines: os.stdoutLines,
    stderrLines: false,
    keepLines: false,
    // A supervised child's group ends with it: nothing may outlive the child the supervisor restarts.
    reapOnExit: true,
  });
  // Readiness (and its timeout) belong to the proxy, which handles OS processes and threads alike.
  let lastLine: string | undefined;
  if (os.ready === undefined) {
    void group.started.then(
      () => events.ready(),
      () => undefined,
    );
  } else {
    const ready = os.ready;
    group.onLine((line) => {
      lastLine = line;
      if (events.tryReady(() => ready(line))) runtime.record('os.ready', label, { pid: group.pid, line });
    });
  }
  void group.closed.then((status) => {
    if (status === undefined) {
      const error = group.spawnError;
      const failure = group.startError('SPAWN_FAILED', `OS process ${JSON.stringify(os.command)} could not be started: ${error?.message ?? 'unknown error'}`, {
        errno: error?.code,
      });
      events.gone({ spawn_error: error?.code }, failure);
      return;
    }
    events.gone(osExitReason(status.code, status.signal), undefined, group.stderrTail);
  });
  return {
    stop: () => void group.signal('SIGTERM', 'supervisor'),
    kill: () => void group.signal('SIGKILL', 'supervisor'),
    // stdin is not connected: messages to the proxy have nowhere to go.
    deliver: () => undefined,
    // A ready pattern that does not match what the program prints is the usual cause: show both.
    notReady: () => {
      const printed =
        lastLine === undefined
          ? 'it printed no stdout line'
          : `its last stdout line was ${JSON.stringify(lastLine.length > 200 ? `${lastLine.slice(0, 200)}…` : lastLine)}`;
      const stderr = group.stderrTail.trim();
      return `no stdout line ${os.readyDescription ?? 'made it ready'}; ${printed}${stderr ? `; its stderr ends: ${stderr}` : ''}`;
    },
  };
}

function normaliseOsOptions(where: string, options: Record<string, unknown>): NormalisedOsOptions {
  const { command, args = [], cwd, env, ready, readyTimeout, stdoutLines = false } = options as Partial<OsProcessOptions>;
  if (typeof command !== 'string' || command === '')
    throw new InvalidOptionError(`${where}.command`, command, 'a non-empty string (a program path or a name in PATH)');
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new InvalidOptionError(`${where}.args`, args, 'an array of strings');
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === '')) throw new InvalidOptionError(`${where}.cwd`, cwd, 'a non-empty string (a directory path)');
  if (env !== undefined) {
    checkObject(`${where}.env`, env);
    for (const [key, value] of Object.entries(env)) {
      if (typeof value !== 'string') throw new InvalidOptionError(`${where}.env.${key}`, value, 'a string');
    }
  }
  if (ready !== undefined && !(ready instanceof RegExp) && typeof ready !== 'function') {
    throw new InvalidOptionError(`${where}.ready`, ready, 'a RegExp or a function (line) => boolean');
  }
  if (typeof stdoutLines !== 'boolean') throw new InvalidOptionError(`${where}.stdoutLines`, stdoutLines, 'a boolean');
  return {
    command,
    args: [...args],
    cwd,
    env: env === undefined ? undefined : { ...env },
    ready: ready === undefined ? undefined : linePredicate(ready),
    readyDescription:
      ready === undefined ? undefined : ready instanceof RegExp ? `matching ${String(ready)}` : `satisfying ${ready.name || 'the ready predicate'}`,
    readyTimeout: checkReadyTimeout(where, readyTimeout, ready !== undefined),
    stdoutLines,
  };
}

/** A RegExp with `g` or `y` keeps state between tests; a copy without them matches each line afresh. */
function linePredicate(ready: RegExp | ((line: string) => boolean)): (line: string) => boolean {
  if (typeof ready === 'function') return ready;
  const pattern = new RegExp(ready.source, ready.flags.replace(/[gy]/g, ''));
  return (line) => pattern.test(line);
}
