import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Write a report file, creating its directory. */
export function writeReportFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
