import type { MessageHandler, Pid, Runtime } from '@quiesce/runtime';
import type { ArmedFault } from '../fault.js';

/** Wraps a process's handler for one message, or returns it unchanged. */
export type HandlerWrap = (handler: MessageHandler) => MessageHandler;

interface HandlerFault {
  readonly fault: ArmedFault;
  /** Called when the process is about to handle a message; returns what to run instead, if anything. */
  readonly onMessage: () => HandlerWrap | undefined;
}

/**
 * Faults that act when a process handles a message (crash on the Nth, hang, slow): one runtime
 * interceptor for all of them, installed with the first and removed at dispose.
 */
export class HandlerFaults {
  readonly #runtime: Runtime;
  readonly #byPid = new Map<string, HandlerFault[]>();
  #remove: (() => void) | undefined;

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  add(pid: Pid, fault: ArmedFault, onMessage: () => HandlerWrap | undefined): void {
    this.#remove ??= this.#runtime.intercept({ handler: (target, _message, handler) => this.#wrap(target, handler) });
    const key = pid.toString();
    const list = this.#byPid.get(key) ?? [];
    list.push({ fault, onMessage });
    this.#byPid.set(key, list);
  }

  dispose(): void {
    this.#remove?.();
    this.#remove = undefined;
    this.#byPid.clear();
  }

  #wrap(pid: Pid, handler: MessageHandler): MessageHandler {
    const list = this.#byPid.get(pid.toString());
    if (!list) return handler;
    let current = handler;
    for (const entry of list) {
      if (!entry.fault.active) continue;
      const wrap = entry.onMessage();
      if (wrap) current = wrap(current);
    }
    // Forget faults that can fire no more, so a long run does not walk them per message.
    const live = list.filter((entry) => entry.fault.active);
    if (live.length === 0) this.#byPid.delete(pid.toString());
    else if (live.length !== list.length) this.#byPid.set(pid.toString(), live);
    return current;
  }
}
