// Copies the guides (docs/*.md) into packages/harness/docs/, which the package ships: messages name
// node_modules/@quiesce/harness/docs/<guide>, a path a user's project has (it has no docs/ of ours).
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'docs');
const to = join(root, 'packages', 'harness', 'docs');
rmSync(to, { recursive: true, force: true });
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((f) => f.endsWith('.md'))) copyFileSync(join(from, name), join(to, name));
