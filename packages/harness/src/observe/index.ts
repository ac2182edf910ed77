import { callerLocation } from '../core/resources.js';
import { prepareBridge, type BridgeOptions } from './diagnostics.js';
import { prepareEmitter, type EventMapping, type ObservableEmitter, type ObserveOptions } from './emitter.js';
import { Observer, type ObserveHost } from './observer.js';

/**
 * Feed a third-party emitter into the test's history (see `TestSystem.observe`). Everything is
 * validated before anything is attached or owned.
 */
export function observe(host: ObserveHost, emitter: ObservableEmitter, mapping: EventMapping, options: ObserveOptions = {}): Observer {
  const createdAt = callerLocation();
  const { label, attach } = prepareEmitter(emitter, mapping, options);
  return host.own(new Observer(host, label), createdAt).start(attach);
}

/** Record what third parties publish on diagnostics channels (see `TestSystem.bridgeDiagnostics`). */
export function bridgeDiagnostics(host: ObserveHost, options: BridgeOptions = {}): Observer {
  const createdAt = callerLocation();
  const { label, attach } = prepareBridge(options);
  return host.own(new Observer(host, label), createdAt).start(attach);
}

export { Observer, type ObserveHost } from './observer.js';
export type { BridgeOptions } from './diagnostics.js';
export { readable, READABLE_LIMITS, CLASS_KEY, type ReadableLimits } from './readable.js';
export type { EventMapper, EventMapping, EventTargetLike, NodeEmitterLike, ObservableEmitter, ObservedEvent, ObserveOptions } from './emitter.js';
