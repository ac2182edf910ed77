/** A process identifier, unique within one Runtime. Compare with `===` or `equals`. */
export class Pid {
  readonly id: number;
  readonly node: number;

  constructor(node: number, id: number) {
    this.id = id;
    this.node = node;
  }

  equals(other: unknown): boolean {
    return other instanceof Pid && other.id === this.id && other.node === this.node;
  }

  toString(): string {
    return `<${this.node}.${this.id}>`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function isPid(value: unknown): value is Pid {
  return value instanceof Pid;
}
