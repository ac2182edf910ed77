// Real time comes from the runtime's kernel (native timers captured at load): one source for every bound.
export { realTimer, realDelay, withinReal, realNow } from '@quiesce/runtime';
