/**
 * OTP's restart intensity, to the boundary: restart times are kept in whole seconds of the
 * kernel clock; a new restart is allowed while the restarts within `period` seconds (counting
 * one exactly `period` seconds old, as OTP's `Now - Then > Period` drop rule does) number at
 * most `intensity`, the new one included. One more stops the supervisor.
 */
export class RestartIntensity {
  readonly intensity: number;
  readonly period: number;
  /** Newest first, in whole seconds. */
  #restarts: number[] = [];

  constructor(intensity: number, period: number) {
    this.intensity = intensity;
    this.period = period;
  }

  /** Record a restart at `nowMs`; returns false when the intensity is exceeded. */
  add(nowMs: number): boolean {
    const now = Math.floor(nowMs / 1000);
    const kept: number[] = [now];
    for (const then of this.#restarts) {
      if (now - then > this.period) break;
      kept.push(then);
    }
    this.#restarts = kept;
    return kept.length <= this.intensity;
  }

  /** Restarts currently counted (newest first). */
  get recent(): readonly number[] {
    return this.#restarts;
  }
}
