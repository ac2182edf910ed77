import { QuiesceError } from '@quiesce/runtime';

/**
 * Something a TestSystem owns outside the runtime's process table: an OS child, a server, a
 * socket, a port lease, an observer. Teardown disposes owned resources newest first; the leak
 * check then asks each one whether it is still alive.
 */
export interface OwnedResource {
  readonly kind: 'os-process' | 'server' | 'socket' | 'lease' | 'observer' | 'timer' | (string & {});
  /** What it is, for leak reports: `python3 worker.py (pid 4242)`. */
  readonly label: string;
  /** Dispose of it. Must be idempotent. */
  dispose(): void | Promise<void>;
  /** Whether it still exists after dispose (a leak if so). */
  alive(): boolean;
  /** While true, the resource may produce events in real time (waits then wait for them). Default false. */
  external?(): boolean;
  /**
   * The label of the runtime's external actor this resource holds (`runtime.holdExternal(label)`),
   * if any: teardown's wait for the runtime's own OS children to be gone does not wait for it,
   * since only this resource's own dispose, which comes after, ends it.
   */
  readonly actor?: string | undefined;
}

export interface Owned {
  readonly resource: OwnedResource;
  /** The user's line that created it (first stack frame outside Quiesce). */
  readonly createdAt: string;
}

/** The first stack frame that is not Quiesce's own or Node's: where the user created the thing. */
export function callerLocation(): string {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  const frame = stack.find((line) => !/[\\/](harness|runtime)[\\/](src|dist)[\\/]|node:internal|node_modules[\\/](vitest|@vitest)/.test(line));
  return (frame ?? stack[0] ?? '    at <unknown>').trim().replace(/^at /, '');
}

export class LeakError extends QuiesceError {
  readonly leaks: readonly { kind: string; label: string; createdAt: string }[];
  constructor(leaks: readonly { kind: string; label: string; createdAt: string }[]) {
    super(
      'LEAK',
      `${leaks.length} thing(s) outlived the test's teardown:\n${leaks.map((l) => `  - ${l.kind} ${l.label}, created at ${l.createdAt}`).join('\n')}`,
      { leaks },
    );
    this.leaks = leaks;
  }
}
