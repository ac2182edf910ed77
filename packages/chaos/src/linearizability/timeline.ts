import type { Operation, LinearizabilityVerdict } from './check.js';
import type { ResolvedModel } from './model.js';

/**
 * A concurrent history as text: one row per operation, a bar from its call to its return over
 * the history's events in real order (operations whose bars overlap ran concurrently), then what
 * it returned; after the rows, the checker's verdict in the model's words.
 */
export function formatHistory<I, O>(history: readonly Operation<I, O>[], model: ResolvedModel<unknown, I, O>, verdict?: LinearizabilityVerdict<I, O>): string {
  if (history.length === 0) return '(no operations)';
  // Columns: every distinct call/return position, in order; a pending return is the last column.
  const positions = [...new Set(history.flatMap((op) => (op.ret === undefined ? [op.call] : [op.call, op.ret])))].sort((a, b) => a - b);
  const column = new Map(positions.map((p, i) => [p, i]));
  const width = 3;
  const end = positions.length;
  // Virtual times only when they tell something: a closed simulation often runs everything at 0 ms.
  const timed = history.some((op) => (op.callTime ?? 0) !== 0 || (op.retTime ?? 0) !== 0);
  const stuck = new Set(verdict && !verdict.linearizable ? verdict.stuck.map((s) => s.op.id) : []);
  const rows = [...history]
    .sort((a, b) => a.call - b.call)
    .map((op) => {
      const from = column.get(op.call)!;
      const to = op.ret === undefined ? end : column.get(op.ret)!;
      const bar = `${' '.repeat(from * width)}[${'-'.repeat(Math.max(0, (to - from) * width - 1))}${op.ret === undefined ? '>' : ']'}`.padEnd(end * width + 2);
      const result = op.ret === undefined ? 'pending' : show(op.output);
      const time = !timed || op.callTime === undefined ? '' : `  ${op.callTime}ms..${op.retTime === undefined ? '?' : `${op.retTime}ms`}`;
      return `  c${op.client} #${String(op.id).padEnd(3)} ${bar} ${model.describe(op.input)} -> ${result}${stuck.has(op.id) ? '  <- stuck' : ''}${time}`;
    });
  return [...rows, ...(verdict ? ['', ...describeVerdict(verdict, model)] : [])].join('\n');
}

/** The verdict in words: a linearization, or the longest prefix and what could not follow it. */
export function describeVerdict<I, O>(verdict: LinearizabilityVerdict<I, O>, model: ResolvedModel<unknown, I, O>): string[] {
  const name = (op: Operation<I, O>): string => `c${op.client}#${op.id} ${model.describe(op.input)}`;
  if (verdict.linearizable) return [`linearizable: ${verdict.order.map(name).join(', ') || '(nothing)'}`];
  return [
    'not linearizable: no order of these operations that respects their real-time order is accepted by the model.',
    `longest linearizable prefix: ${verdict.longest.map(name).join(', ') || '(none)'} (model state then: ${show(verdict.state)})`,
    ...verdict.stuck.map(({ op, expected }) =>
      op.ret === undefined || model.equal(op.output, expected)
        ? `  next, ${name(op)} fits (-> ${show(expected)}), but no order of what is left works after it`
        : `  next, ${name(op)} returned ${show(op.output)}, but the model says ${show(expected)}`,
    ),
  ];
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
