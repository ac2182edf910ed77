/**
 * Where a message sends a user for more: the guides ship inside this package (copied from the
 * repository's docs/ at build), so the path is there in every project that installed it.
 */
export type GuideName = 'containers.md' | 'flaky.md';

export function guide(name: GuideName, section?: string): string {
  const path = `node_modules/@quiesce/harness/docs/${name}`;
  return section === undefined ? path : `${path}, "${section}"`;
}
