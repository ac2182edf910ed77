import { QuiesceError } from '@quiesce/runtime';
import type { SystemHost } from '../core/host.js';
import type { OwnedResource } from '../core/resources.js';

/** What an observer needs of the system that owns it: a history to append to and an owner. */
export type ObserveHost = Pick<SystemHost, 'record' | 'own'>;

/** Where an attached source delivers: events to record, or a mapping failure. */
export interface ObserverSink {
  record(kind: string, source: string, data: unknown): void;
  fail(error: QuiesceError): void;
}

/** Attaches a source to a sink; returns the function that detaches it. */
export type Attach = (sink: ObserverSink) => () => void;

/**
 * A third-party event source feeding the test's history: an observed emitter or a
 * diagnostics_channel bridge. Owned by the TestSystem (kind `observer`) and detached at
 * teardown. While attached it counts as an external source: the source may fire in real time, so
 * a wait that only it can satisfy waits for it (bounded by its timeout) instead of declaring
 * deadlock.
 *
 * A mapping that throws or returns something that is not an event is recorded at once as an
 * `observer.error` event and fails the test at teardown (the first such error is thrown by
 * `dispose()`), since a silently dropped event would only show up later as a puzzling timeout.
 */
export class Observer implements OwnedResource {
  readonly kind = 'observer';
  /** What it observes, for timelines and leak reports: `Piscina (workerCreate, workerDestroy)`. */
  readonly label: string;
  readonly #host: ObserveHost;
  readonly #errors: QuiesceError[] = [];
  #detach: (() => void) | undefined;
  #recorded = 0;

  /** @internal Use `system.observe` or `system.bridgeDiagnostics`. */
  constructor(host: ObserveHost, label: string) {
    this.#host = host;
    this.label = label;
  }

  /** @internal Attach the source; called once, after the observer is owned. */
  start(attach: Attach): this {
    const sink: ObserverSink = {
      record: (kind, source, data) => {
        if (this.#detach === undefined) return; // a straggler after stop(): not this test's any more
        this.#recorded++;
        try {
          this.#host.record(kind, source, data);
        } catch (error) {
          // A history listener threw (a wait's predicate, a user's subscriber). Never throw into the
          // third party's emit or a diagnostics publish: fail the test at teardown instead.
          sink.fail(
            error instanceof QuiesceError
              ? error
              : new QuiesceError('INVALID_OPTION', `recording ${kind} from ${source} threw ${describe(error)}`, { kind, cause: error }),
          );
        }
      },
      fail: (error) => {
        if (this.#detach === undefined) return;
        this.#errors.push(error);
        try {
          this.#host.record('observer.error', this.label, { code: error.code, message: error.message });
        } catch {
          // The same listener threw again; the error is kept for teardown all the same.
        }
      },
    };
    this.#detach = attach(sink);
    this.#host.record('observer.start', this.label, {});
    return this;
  }

  /** Whether it is still attached to its source. */
  get attached(): boolean {
    return this.#detach !== undefined;
  }

  /** How many events it has recorded into the history. */
  get recorded(): number {
    return this.#recorded;
  }

  /** Mapping failures so far (each also recorded as an `observer.error` event). */
  get errors(): readonly QuiesceError[] {
    return this.#errors;
  }

  /** Detach from the source: nothing it emits from now on reaches the history. Idempotent. */
  stop(): void {
    const detach = this.#detach;
    if (detach === undefined) return;
    this.#detach = undefined;
    detach();
    this.#host.record('observer.stop', this.label, { recorded: this.#recorded });
  }

  /** Teardown: detach, then fail the test with the first mapping error, if any. */
  dispose(): void {
    this.stop();
    const first = this.#errors[0];
    if (first) throw first;
  }

  alive(): boolean {
    return this.attached;
  }

  external(): boolean {
    return this.attached;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
