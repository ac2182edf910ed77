import { InvalidOptionError, QuiesceError } from '../errors.js';
import { checkKnownKeys, checkObject } from '../checks/options.js';
import { andThen, type MaybePromise } from '../kernel/maybe-promise.js';
import { serialiseReason } from '../process/exit-reason.js';
import type { Pid } from '../process/pid.js';
import type { Runtime } from '../process/runtime.js';
import { startCheckedServer, type ServerBehaviour, type StartOutcome, type StartServerOptions } from '../server/server.js';
import { supervisorBehaviour, type NestedSupervisors } from './behaviour.js';
import { childStartContext } from './child-ops.js';
import { RestartIntensity } from './intensity.js';
import { registerSupervisorRef, SupervisorRef } from './ref.js';
import {
  assertUniqueIds,
  CHILD_SPEC_KEYS,
  checkSpecId,
  checkSupervisorKeys,
  isSupervisorSpec,
  normaliseChildSpec,
  normaliseFlags,
  type ChildSpec,
  type NormalisedChildSpec,
  type NormalisedFlags,
  type StartContext,
  type StartReturn,
  type SupervisorSpec,
} from './spec.js';
import { childState, type SupState } from './state.js';

/** Build a supervisor spec: a value, started by `startSupervisor` or placed among another's children. */
export function supervisor(spec: Omit<SupervisorSpec, 'kind'>): SupervisorSpec {
  // Keys are checked where the spec is written; values when it is started (validateSupervisorSpec).
  checkSupervisorKeys('supervisor', spec);
  return { ...spec, kind: 'supervisor' };
}

/** The child fields worker() and serverChild() take besides id and start. */
const CHILD_OPTION_KEYS = CHILD_SPEC_KEYS.filter((k) => k !== 'id' && k !== 'start');

function checkChildOptions(where: string, id: unknown, options: unknown): void {
  checkSpecId(`${where} id`, id);
  checkObject(`${where}(${JSON.stringify(id)}) options`, options, 'INVALID_CHILD_SPEC');
  checkKnownKeys(`${where}(${JSON.stringify(id)}) options`, options, CHILD_OPTION_KEYS, 'INVALID_CHILD_SPEC');
}

/** A worker child spec from a start function. */
export function worker(id: string, start: ChildSpec['start'], options: Omit<ChildSpec, 'id' | 'start'> = {}): ChildSpec {
  checkChildOptions('worker', id, options);
  return { ...options, id, start };
}

/** A child spec that starts a Server with `args`. */
export function serverChild<S, A>(id: string, behaviour: ServerBehaviour<S, A>, args: A, options: Omit<ChildSpec, 'id' | 'start'> = {}): ChildSpec {
  checkChildOptions('serverChild', id, options);
  return { ...options, id, start: (ctx) => ctx.startServer(behaviour, args) };
}

/** Normalise and validate a whole tree before anything starts, so a bad spec leaves nothing behind. */
export function validateSupervisorSpec(spec: SupervisorSpec, where = 'supervisor'): ValidatedSupervisor {
  if (!isSupervisorSpec(spec)) throw new InvalidOptionError(where, spec, 'a supervisor spec built with supervisor({ ... })', 'INVALID_CHILD_SPEC');
  checkSupervisorKeys(where, spec);
  // The same rule as a child's id: a top-level id is the tree's label and the first segment of its paths.
  if (spec.id !== undefined) checkSpecId(`${where}.id`, spec.id);
  const flags = normaliseFlags(spec, where);
  if (!Array.isArray(spec.children)) throw new InvalidOptionError(`${where}.children`, spec.children, 'an array of child specs', 'INVALID_CHILD_SPEC');
  // Array.from visits the holes of a sparse array (map skips them), so a hole is reported as a bad child.
  const children = Array.from(spec.children, (child, i) => {
    if (isSupervisorSpec(child)) {
      const nestedWhere = `${where}.children[${i}]`;
      if (typeof child.id !== 'string')
        throw new InvalidOptionError(`${nestedWhere}.id`, child.id, 'a non-empty string (a nested supervisor needs an id)', 'INVALID_CHILD_SPEC');
      const validated = validateSupervisorSpec(child, `${nestedWhere}(${child.id})`);
      return normaliseChildSpec(supervisorAsChild(child, validated), `${where}.children[${i}]`, flags.autoShutdown);
    }
    return normaliseChildSpec(child, `${where}.children[${i}]`, flags.autoShutdown);
  });
  assertUniqueIds(children, where);
  return { flags, children };
}

/** A supervisor spec, checked and normalised once: what its starts (and restarts) use. */
interface ValidatedSupervisor {
  flags: NormalisedFlags;
  children: NormalisedChildSpec[];
}

/**
 * A nested supervisor as a child of its parent. Its spec was validated with the parent's, so every
 * (re)start reuses that result, as OTP keeps a child spec once the supervisor has it.
 */
function supervisorAsChild(spec: SupervisorSpec, validated: ValidatedSupervisor): ChildSpec {
  return {
    id: spec.id!,
    type: 'supervisor',
    ...(spec.restart !== undefined ? { restart: spec.restart } : {}),
    ...(spec.shutdown !== undefined ? { shutdown: spec.shutdown } : {}),
    ...(spec.significant !== undefined ? { significant: spec.significant } : {}),
    // A plain value when the nested supervisor's children all started at once: its parent's
    // restart of it then runs to its end within one delivery, as in OTP.
    start: (ctx) => {
      const outcome = startValidated(ctx.runtime, spec, validated, { link: ctx.parent, label: ctx.path });
      return andThen(outcome, childStartReturn);
    },
  };
}

function childStartReturn(outcome: SupervisorStartOutcome): StartReturn {
  return 'ok' in outcome ? outcome.ok.pid : { error: outcome.error };
}

/** How a running supervisor takes a nested supervisor spec given to startChild. */
const NESTED: NestedSupervisors = {
  asChild: (spec, where) => supervisorAsChild(spec, validateSupervisorSpec(spec, where)),
};

export interface StartSupervisorOptions {
  link?: Pid;
  name?: string;
  /** History label; defaults to the name, the spec's id, or `supervisor`. */
  label?: string;
}

export type SupervisorStartOutcome = { ok: SupervisorRef } | { error: unknown };

/** Start a supervisor; failures come back as `{ error }` (the start fails as in OTP). */
export async function startSupervisorOutcome(runtime: Runtime, spec: SupervisorSpec, options: StartSupervisorOptions = {}): Promise<SupervisorStartOutcome> {
  const validated = validateSupervisorSpec(spec);
  checkObject('supervisor options', options);
  checkKnownKeys('supervisor options', options, ['link', 'name', 'label']);
  return startValidated(runtime, spec, validated, options);
}

function startValidated(
  runtime: Runtime,
  spec: SupervisorSpec,
  { flags, children }: ValidatedSupervisor,
  options: StartSupervisorOptions,
): MaybePromise<SupervisorStartOutcome> {
  const label = options.label ?? options.name ?? spec.id ?? 'supervisor';
  const state: SupState = {
    label,
    flags,
    children: children.map((s) => childState(label, s)),
    intensity: new RestartIntensity(flags.intensity, flags.period),
  };
  // The behaviour and these options are the module's own: startCheckedServer skips their checks.
  const serverOptions: StartServerOptions = { label, timeout: 'infinity' };
  if (options.link) serverOptions.link = options.link;
  if (options.name !== undefined) serverOptions.name = options.name;
  const outcome = startCheckedServer(runtime, supervisorBehaviour(runtime, state, NESTED), undefined, serverOptions);
  const started = (o: StartOutcome): SupervisorStartOutcome => {
    if ('ok' in o) {
      const ref = new SupervisorRef(runtime, o.ok, state);
      registerSupervisorRef(ref);
      return { ok: ref };
    }
    return { error: 'ignore' in o ? 'ignore' : o.error };
  };
  return andThen(outcome, started);
}

/** Start a supervisor tree; rejects with QuiesceError START_FAILED (reason in `details.reason`) if a child fails to start. */
export async function startSupervisor(runtime: Runtime, spec: SupervisorSpec, options: StartSupervisorOptions = {}): Promise<SupervisorRef> {
  const outcome = await startSupervisorOutcome(runtime, spec, options);
  if ('ok' in outcome) return outcome.ok;
  throw new QuiesceError(
    'START_FAILED',
    `supervisor ${options.name ?? spec.id ?? ''} failed to start: ${JSON.stringify(serialiseReason(outcome.error))}`.replace('  ', ' '),
    {
      reason: outcome.error,
    },
  );
}

export type { StartContext, SupervisorSpec, ChildSpec };
export { childStartContext, SupervisorRef };
export { supervisorRefOf } from './ref.js';
export type { ChildCounts, ChildInfo, ChildPid } from './state.js';
