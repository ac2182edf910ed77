import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** The schemas the package publishes, compiled strictly (a mistake in a schema fails here too). */
const ajv = new Ajv2020({ strict: true, allErrors: true });

export function schemaValidator(name: 'report' | 'flaky'): (document: unknown) => string[] {
  const path = fileURLToPath(new URL(`../../schemas/${name}.schema.json`, import.meta.url));
  const validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
  return (document) =>
    validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
