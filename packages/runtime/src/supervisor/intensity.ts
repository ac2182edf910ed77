/**
 * OTP's restart intensity, to the boundary: restart times are kept in whole seconds of the
 * kernel clock; a new restart is allowed while the restarts within `period` seconds (counting
 * one exactly `period` seconds old, as OTP's `Now - Then > Period` drop rule does) number at
 * most `intensity`, the new one included. One more stops the supervisor.
 *
 * Times only grow, so expired restarts are dropped from the old end of a queue: O(1) amortised
 * per restart however many the window holds.
 */
export class RestartIntensity {
  readonly intensity: number;
  readonly period: number;
  /** Oldest first, in whole seconds; entries before `#head` have expired. */
  #times: number[] = [];
  #head = 0;

  constructor(intensity: number, period: number) {
    this.intensity = intensity;
    this.period = period;
  }

  /** Record a restart at `nowMs`; returns false when the intensity is exceeded. */
  add(nowMs: number): boolean {
    const now = Math.floor(nowMs / 1000);
    this.#times.push(now);
    while (now - this.#times[this.#head]! > this.period) this.#head++;
    if (this.#head > 64 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
    return this.#times.length - this.#head <= this.intensity;
  }

  /** Restarts currently counted (newest first), in whole seconds. */
  get recent(): readonly number[] {
    return this.#times.slice(this.#head).reverse();
  }
}
