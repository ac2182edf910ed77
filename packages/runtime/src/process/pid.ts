/** A process identifier, unique within one Runtime. Compare with `equals` (pids of two runtimes never equal). */
export class Pid {
  readonly id: number;
  readonly node: number;
  /** Made once: every event that names a process prints its pid, and a history keeps those strings. */
  readonly #text: string;

  constructor(node: number, id: number) {
    this.id = id;
    this.node = node;
    this.#text = `<0.${id}>`;
  }

  equals(other: unknown): boolean {
    return other instanceof Pid && other.id === this.id && other.node === this.node;
  }

  /** `<0.N>`: the runtime's own number is left out so two runs of one seed print the same pids. */
  toString(): string {
    return this.#text;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function isPid(value: unknown): value is Pid {
  return value instanceof Pid;
}
