/**
 * The error a fault produces where code under test sees one: a crash's exit reason, a failed
 * start, a call that injectFailures failed. Not a QuiesceError (those are for bad input to
 * Quiesce's own APIs): it is what the system under test must survive.
 */
export class InjectedFault extends Error {
  /** What kind of failure: 'crash', 'fail_start', 'terminate', or an injectFailures type ('throw', 'timeout', …). */
  readonly type: string;
  /** The fault's id (`f3`), or the injector's site. */
  readonly fault: string;
  /** Node-style code for network-like failures ('ECONNRESET' for a disconnect, 'ETIMEDOUT' for a timeout). */
  readonly code: string;

  constructor(type: string, fault: string, message: string, code = `INJECTED_${type.toUpperCase()}`) {
    super(message);
    this.name = 'InjectedFault';
    this.type = type;
    this.fault = fault;
    this.code = code;
  }
}
