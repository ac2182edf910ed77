/** Deterministic "inference": the same prompt always gives the same tokens (no model, no randomness). */
const VOCABULARY = [
  'the',
  'pool',
  'worker',
  'restarts',
  'quietly',
  'and',
  'every',
  'test',
  'waits',
  'for',
  'an',
  'event',
  'never',
  'a',
  'sleep',
  'so',
  'time',
  'is',
  'virtual',
  'while',
  'processes',
  'run',
  'real',
  'code',
  'on',
  'loopback',
  'ports',
  'seeded',
  'by',
  'history',
  'replay',
  'again',
];

/** FNV-1a, 32 bits: a stable hash of the prompt and the token's position. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The completion's tokens, each with its leading space as a tokenizer would give it. */
export function completionTokens(prompt: string, maxTokens: number): string[] {
  return Array.from({ length: maxTokens }, (_, i) => ` ${VOCABULARY[fnv1a(`${prompt}\u0000${i}`) % VOCABULARY.length]}`);
}

/** A rough prompt token count: words and punctuation runs. */
export function promptTokens(prompt: string): number {
  return prompt.match(/\w+|[^\s\w]+/g)?.length ?? 0;
}
