import type { Pid } from '../process/pid.js';
import type { Runtime } from '../process/runtime.js';
import type { ChildSpec } from '../supervisor/spec.js';
import {
  CHILD_FIELD_KEYS,
  checkChildFields,
  checkId,
  checkKnownKeys,
  checkObject,
  checkSpawnCall,
  type ChildFields,
  type ProxySpawnOptions,
} from './options.js';

/** How one kind of proxied child (an OS process, a worker thread) is checked and launched. */
export interface ProxiedChildKind<Raw, Normalised> {
  /** The public function's name, for messages: `osProcess`, `spawnOsProcess`. */
  readonly specName: string;
  readonly spawnName: string;
  /** The option keys of the kind itself (the child fields restart/shutdown/significant come on top). */
  readonly keys: readonly string[];
  normalise(where: string, options: Raw): Normalised;
  launch(runtime: Runtime, options: Normalised, link: Pid | undefined, label: string | undefined): Promise<Pid>;
}

/** A supervisor child spec: options checked now (nothing starts on bad input); a failed start becomes `{ error }`. */
export function proxiedChildSpec<Raw extends object, N>(kind: ProxiedChildKind<Raw, N>, id: string, options: Raw & ChildFields): ChildSpec {
  const where = `${kind.specName}(${JSON.stringify(id)})`;
  checkId(kind.specName, id);
  checkObject(where, options);
  checkKnownKeys(where, options as Record<string, unknown>, [...kind.keys, ...CHILD_FIELD_KEYS]);
  const fields = checkChildFields(where, options);
  const normalised = kind.normalise(where, options);
  return {
    ...fields,
    id,
    start: async (ctx) => {
      try {
        return await kind.launch(ctx.runtime, normalised, ctx.parent, ctx.path);
      } catch (error) {
        return { error };
      }
    },
  };
}

/** Start one outside any supervisor; bad options throw at once, a failed start rejects. */
export function spawnProxied<Raw extends object, N>(
  kind: ProxiedChildKind<Raw, N>,
  runtime: Runtime,
  options: Raw,
  spawnOptions: ProxySpawnOptions,
): Promise<Pid> {
  checkSpawnCall(kind.spawnName, runtime, spawnOptions);
  checkObject(`${kind.spawnName} options`, options);
  checkKnownKeys(kind.spawnName, options as Record<string, unknown>, kind.keys);
  return kind.launch(runtime, kind.normalise(kind.spawnName, options), spawnOptions.link, spawnOptions.label);
}
