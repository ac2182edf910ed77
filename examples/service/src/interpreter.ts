/**
 * A toy interpreter, safe by construction: no eval, no I/O, bounded work. The language:
 *
 *   x = 1 + 2 * 3        assignment (numbers and "strings"; + joins strings)
 *   print x              a line of output
 *   write "out.txt" x    a file of the session
 *   del x                forget a variable
 *
 * Statements are separated by newlines or `;`. A run either succeeds as a whole or changes nothing.
 */
export type Value = number | string;

export interface RunResult {
  stdout: string;
  /** The variables after the run (the run's input, changed). */
  vars: Record<string, Value>;
  /** Variables the run deleted. */
  deleted: string[];
  /** Files the run wrote, by name. */
  files: Record<string, string>;
  /** Set when the run failed: nothing of it is to be kept. */
  error?: string;
}

export const MAX_STATEMENTS = 200;
export const MAX_STRING = 10_000;
export const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

type Token = { kind: 'num'; value: number } | { kind: 'str'; value: string } | { kind: 'id'; value: string } | { kind: 'op'; value: string };

export class ExecError extends Error {
  override readonly name = 'ExecError';
}

export function run(code: string, vars: Readonly<Record<string, Value>>): RunResult {
  const state: Record<string, Value> = { ...vars };
  const deleted = new Set<string>();
  const files: Record<string, string> = {};
  const out: string[] = [];
  try {
    const statements = code
      .split(/[\n;]/)
      .map((s) => s.trim())
      .filter((s) => s !== '' && !s.startsWith('#'));
    if (statements.length > MAX_STATEMENTS) throw new ExecError(`too many statements: ${statements.length} (at most ${MAX_STATEMENTS})`);
    for (const statement of statements) {
      const tokens = tokenize(statement);
      const [first, second] = tokens;
      if (first?.kind === 'id' && second?.kind === 'op' && second.value === '=') {
        checkName(first.value);
        state[first.value] = evaluate(tokens.slice(2), state);
        deleted.delete(first.value);
      } else if (first?.kind === 'id' && first.value === 'print') {
        out.push(String(evaluate(tokens.slice(1), state)));
      } else if (first?.kind === 'id' && first.value === 'write' && second?.kind === 'str') {
        checkFileName(second.value);
        files[second.value] = String(evaluate(tokens.slice(2), state));
      } else if (first?.kind === 'id' && first.value === 'del' && second?.kind === 'id' && tokens.length === 2) {
        if (!(second.value in state)) throw new ExecError(`NameError: ${second.value} is not defined`);
        delete state[second.value];
        deleted.add(second.value);
      } else {
        throw new ExecError(`SyntaxError: cannot read statement ${JSON.stringify(statement.slice(0, 80))}`);
      }
    }
  } catch (error) {
    if (!(error instanceof ExecError)) throw error;
    return { stdout: out.join('\n'), vars: { ...vars }, deleted: [], files: {}, error: error.message };
  }
  return { stdout: out.length ? `${out.join('\n')}\n` : '', vars: state, deleted: [...deleted], files };
}

function checkName(name: string): void {
  if (!NAME.test(name) || ['print', 'write', 'del'].includes(name)) throw new ExecError(`SyntaxError: ${JSON.stringify(name)} is not a variable name`);
}

function checkFileName(name: string): void {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || name.startsWith('.'))
    throw new ExecError(`IOError: ${JSON.stringify(name)} is not a file name (letters, digits, . _ -)`);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?)|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)|([-+*/%()=]))/y;
  let at = 0;
  while (at < source.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(source);
    if (!m) {
      if (/^\s*$/.test(source.slice(at))) break;
      throw new ExecError(`SyntaxError: unexpected ${JSON.stringify(source.slice(at).trim().slice(0, 20))}`);
    }
    at = pattern.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'str', value: m[2].replace(/\\(.)/g, '$1') });
    else if (m[3] !== undefined) tokens.push({ kind: 'id', value: m[3] });
    else tokens.push({ kind: 'op', value: m[4]! });
  }
  return tokens;
}

/** A recursive-descent evaluator over one statement's expression tokens. */
function evaluate(tokens: Token[], vars: Record<string, Value>): Value {
  let i = 0;
  const peek = () => tokens[i];
  const expr = (): Value => {
    let left = term();
    for (let t = peek(); t?.kind === 'op' && (t.value === '+' || t.value === '-'); t = peek()) {
      i++;
      const right = term();
      left = t.value === '+' ? add(left, right) : num(left) - num(right);
    }
    return left;
  };
  const term = (): Value => {
    let left = factor();
    for (let t = peek(); t?.kind === 'op' && (t.value === '*' || t.value === '/' || t.value === '%'); t = peek()) {
      i++;
      const right = num(factor());
      if ((t.value === '/' || t.value === '%') && right === 0) throw new ExecError('ZeroDivisionError: division by zero');
      left = t.value === '*' ? num(left) * right : t.value === '/' ? num(left) / right : num(left) % right;
    }
    return left;
  };
  const factor = (): Value => {
    const t = tokens[i++];
    if (!t) throw new ExecError('SyntaxError: an expression ends too early');
    if (t.kind === 'num' || t.kind === 'str') return t.value;
    if (t.kind === 'id') {
      if (!Object.hasOwn(vars, t.value)) throw new ExecError(`NameError: ${t.value} is not defined`);
      return vars[t.value]!;
    }
    if (t.value === '-') return -num(factor());
    if (t.value === '(') {
      const value = expr();
      if (tokens[i++]?.value !== ')') throw new ExecError('SyntaxError: ( without )');
      return value;
    }
    throw new ExecError(`SyntaxError: unexpected ${t.value}`);
  };
  const value = expr();
  if (i !== tokens.length) throw new ExecError(`SyntaxError: unexpected ${tokens[i]!.value}`);
  return value;
}

function add(a: Value, b: Value): Value {
  if (typeof a === 'string' || typeof b === 'string') {
    const joined = `${a}${b}`;
    if (joined.length > MAX_STRING) throw new ExecError(`MemoryError: a string longer than ${MAX_STRING} characters`);
    return joined;
  }
  return a + b;
}

function num(v: Value): number {
  if (typeof v !== 'number') throw new ExecError(`TypeError: ${JSON.stringify(v)} is not a number`);
  return v;
}
