import { PROP_PATH_ENV, PROP_SEED_ENV } from './options.js';

/** Quote for a POSIX shell: double quotes when nothing in the text is special inside them. */
export function shellQuote(text: string): string {
  if (/^[\w./:@%+=,-]+$/.test(text)) return text;
  if (!/["$`\\!]/.test(text)) return `"${text}"`;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Vitest's `-t` is a regular expression: escape the name so it matches itself literally. */
export function testNamePattern(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The one-line command that replays a property's counterexample directly:
 * `QUIESCE_PROP_SEED=<seed> QUIESCE_PROP_PATH=<path> npx vitest run <file> -t "<name>"`.
 */
export function propReplayCommand(seed: number, path: string | undefined, file: string | undefined, name: string | undefined): string {
  const env = `${PROP_SEED_ENV}=${seed}${path ? ` ${PROP_PATH_ENV}=${path}` : ''}`;
  const target = file ? ` ${shellQuote(file)}` : '';
  const filter = name ? ` -t ${shellQuote(testNamePattern(name))}` : '';
  return `${env} npx vitest run${target}${filter}`;
}
