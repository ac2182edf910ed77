/**
 * Process and server scenarios shared by the runtime's differential test and the OTP oracle
 * (process_oracle.escript, run through oracle.ts).
 *
 * A scenario is two to five processes — plain processes and gen_servers, each trapping exits or
 * not — and a list of steps. A step is a list of operations one actor performs back to back: the
 * driver (code outside any process) or one of the processes (told by the driver). Between steps
 * the system settles: the actor has finished (or died) and nothing is in flight.
 *
 * Trace lines, `<receiver> <sender> <what>`:
 *   p1 p2 msg 3                  p1 received message 3 from p2
 *   p1 driver exit_msg boom      p1 (trapping) received {'EXIT', Driver, boom}
 *   p1 p2 down killed            p1 received the DOWN of its monitor of p2
 *   p1 p2 call echo reply echo   p1's call to server p2 returned (reply V | exit R | noproc | timeout)
 *   p2 p1 handled echo           server p2's handle_call ran for p1's request
 *   p2 self terminate shutdown   server p2's terminate ran
 *   p1 p2 link_noproc            p1's link(p2) raised noproc (p2 already dead)
 *   p1 end died killed           how p1 ended (or `p1 end alive`)
 * The driver's own call results are `driver <server> call ...`. Reasons print as Erlang's ~w.
 *
 * OTP orders signals per sender-receiver pair only, so traces are compared per (receiver,
 * sender) pair: see comparePerSender.
 */
import * as fc from 'fast-check';
import { formatAtom } from './scenario.js';

export type Reason = 'normal' | 'kill' | 'shutdown' | 'boom' | { shutdown: string };
export type CallRequest = 'echo' | 'later' | 'never' | { crash: Reason } | { stopReply: Reason } | { stopNoreply: Reason };
export type Op =
  | { exit: string; reason: Reason }
  | { send: string; tag: number }
  | { link: string }
  | { unlink: string }
  | { monitor: string }
  | { demonitor: string }
  | { call: string; request: CallRequest }
  | { castStop: string; reason: Reason }
  | { exitSelf: Reason };
export interface ProcNode {
  name: string;
  kind: 'proc' | 'server';
  trap: boolean;
}
export interface Step {
  /** 'driver' or a process name. */
  actor: string;
  ops: Op[];
}
export interface ProcessScenario {
  name: string;
  procs: ProcNode[];
  steps: Step[];
  /** The timeout of `never` calls, in ms (real on OTP, virtual on the runtime). */
  neverTimeout: number;
}

// ---------------------------------------------------------------------------
// Erlang term text
// ---------------------------------------------------------------------------

export function erlReason(r: Reason): string {
  return typeof r === 'string' ? formatAtom(r) : `{shutdown,${formatAtom(r.shutdown)}}`;
}

function erlRequest(r: CallRequest): string {
  if (typeof r === 'string') return r;
  if ('crash' in r) return `{crash,${erlReason(r.crash)}}`;
  if ('stopReply' in r) return `{stop_reply,${erlReason(r.stopReply)}}`;
  return `{stop_noreply,${erlReason(r.stopNoreply)}}`;
}

function erlOp(op: Op): string {
  if ('exit' in op) return `{exit,${op.exit},${erlReason(op.reason)}}`;
  if ('send' in op) return `{send,${op.send},${op.tag}}`;
  if ('link' in op) return `{link,${op.link}}`;
  if ('unlink' in op) return `{unlink,${op.unlink}}`;
  if ('monitor' in op) return `{monitor,${op.monitor}}`;
  if ('demonitor' in op) return `{demonitor,${op.demonitor}}`;
  if ('call' in op) return `{call,${op.call},${erlRequest(op.request)}}`;
  if ('castStop' in op) return `{cast_stop,${op.castStop},${erlReason(op.reason)}}`;
  return `{exit_self,${erlReason(op.exitSelf)}}`;
}

/** `{scenario, Name, Procs, Steps, NeverTimeout}.` on one line, as process_oracle.escript reads it. */
export function toErlangTerm(s: ProcessScenario): string {
  const procs = s.procs.map((p) => `{${p.name},${p.kind},${p.trap}}`).join(',');
  const steps = s.steps.map((st) => `{${st.actor},[${st.ops.map(erlOp).join(',')}]}`).join(',');
  return `{scenario,"${s.name}",[${procs}],[${steps}],${s.neverTimeout}}.`;
}

/** The label of a request in a trace line. */
export function requestLabel(r: CallRequest): string {
  if (typeof r === 'string') return r;
  if ('crash' in r) return 'crash';
  if ('stopReply' in r) return 'stop_reply';
  return 'stop_noreply';
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

/** Trace lines grouped by `<receiver> <sender>`, each group in its original order. */
export function perSender(trace: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const line of trace) {
    const [receiver, sender, ...what] = line.split(' ');
    const key = `${receiver} ${sender}`;
    const group = groups.get(key);
    if (group) group.push(what.join(' '));
    else groups.set(key, [what.join(' ')]);
  }
  return groups;
}

/**
 * Differences between two traces of one scenario; empty when they agree. What OTP specifies, and
 * so what is compared:
 *
 * 1. Order per (receiver, sender) pair only. OTP orders the signals from one sender to one
 *    receiver and nothing across senders, so the interleaving of different senders' lines at one
 *    receiver is not compared.
 * 2. A process that died (with the same reason in both traces) may have died before handling
 *    messages that had already reached it: ERTS handles a process's pending exit signals before
 *    running its code, while the runtime runs a process's code as each message arrives, and both
 *    orders are legal (arrival is ordered, handling against a later exit signal is not). So for
 *    such a process each of its per-sender sequences need only agree up to the shorter one.
 * 3. `noproc` answers for a process that is already gone (DOWN of monitor/2, EXIT of link/1) come
 *    from no process, so they are not ordered with each other: a run of them is compared as a set.
 */
export function comparePerSender(otp: readonly string[], runtime: readonly string[]): string[] {
  const a = perSender(otp);
  const b = perSender(runtime);
  const end = (groups: Map<string, string[]>, receiver: string): string | undefined => groups.get(`${receiver} end`)?.[0];
  const out: string[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const receiver = key.split(' ')[0]!;
    const reason = end(a, receiver);
    const died = !key.endsWith(' end') && reason !== undefined && reason.startsWith('died ') && reason === end(b, receiver);
    const x = a.get(key) ?? [];
    const y = b.get(key) ?? [];
    if (!sameSequence(tokens(x), tokens(y), died)) out.push(`${key}: OTP [${x.join(' | ')}] runtime [${y.join(' | ')}]`);
  }
  return out;
}

/** A run of consecutive noproc answers becomes one token, their sorted list; any other line is a token of its own. */
function tokens(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  let run: string[] = [];
  for (const line of lines) {
    if (line === 'down noproc' || line === 'exit_msg noproc') {
      run.push(line);
      continue;
    }
    if (run.length > 0) out.push(run.sort());
    run = [];
    out.push([line]);
  }
  if (run.length > 0) out.push(run.sort());
  return out;
}

/** Equal token lists; with `truncated`, one may stop early, its last token a part of the other's. */
function sameSequence(x: string[][], y: string[][], truncated: boolean): boolean {
  if (!truncated && x.length !== y.length) return false;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const [p, q] = [x[i]!, y[i]!];
    if (p.join() === q.join()) continue;
    const last = truncated && (i === x.length - 1 || i === y.length - 1);
    const [small, big] = p.length <= q.length ? [p, q] : [q, p];
    if (!(last && isSubMultiset(small, big))) return false;
  }
  return true;
}

function isSubMultiset(small: readonly string[], big: readonly string[]): boolean {
  const left = [...big];
  return small.every((item) => {
    const at = left.indexOf(item);
    if (at < 0) return false;
    left.splice(at, 1);
    return true;
  });
}

// ---------------------------------------------------------------------------
// fast-check arbitraries
// ---------------------------------------------------------------------------

/** One of `choices`, each with its weight. */
function weighted<T>(...choices: Array<[T, number]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })));
}

const reasonArb = weighted<Reason>(['kill', 4], ['boom', 4], ['normal', 3], ['shutdown', 3], [{ shutdown: 'x' }, 1]);
/** Reasons a server's callback stops with (`kill` as a stop reason is legal but rare; kept in). */
const stopReasonArb = weighted<Reason>(['boom', 4], ['normal', 2], ['shutdown', 2], [{ shutdown: 'x' }, 1], ['kill', 1]);

interface RawOp {
  kind: 'exit' | 'send' | 'link' | 'unlink' | 'monitor' | 'demonitor' | 'call' | 'castStop' | 'exitSelf';
  /** Index into the processes (taken modulo their number); `sameTarget` reuses the previous op's target. */
  target: number;
  sameTarget: boolean;
  reason: Reason;
  stopReason: Reason;
  request: 'echo' | 'later' | 'never' | 'crash' | 'stopReply' | 'stopNoreply';
}

const rawOpArb: fc.Arbitrary<RawOp> = fc.record({
  kind: weighted<RawOp['kind']>(
    ['exit', 6],
    ['send', 3],
    ['link', 4],
    ['unlink', 1],
    ['monitor', 3],
    ['demonitor', 1],
    ['call', 6],
    ['castStop', 1],
    ['exitSelf', 1],
  ),
  target: fc.nat({ max: 4 }),
  sameTarget: fc.boolean(),
  reason: reasonArb,
  stopReason: stopReasonArb,
  request: weighted<RawOp['request']>(['echo', 5], ['later', 3], ['never', 1], ['crash', 2], ['stopReply', 2], ['stopNoreply', 2]),
});

/**
 * Turns raw draws into valid operations for `actor`: links, monitors and exit/1 only for
 * processes; calls and casts only to servers other than the actor. Three operations come only
 * first in a step, when nothing is in flight: `demonitor` and a `never` call (which waits out its
 * timeout), so neither races other activity, and exit/1. A stop cast and an exit signal to
 * oneself end a step, and after an exit signal to another process a step acts only on that
 * process again (kill-then-act). The reason: a process that exits (a server after terminate, or
 * one an exit signal kills) sends its exit signals a little later in ERTS than in the runtime
 * (ERTS finishes an exit on the process's next turn), so a process linked to it may or may not
 * get to handle what the same step sent it first. Both are legal OTP orders, with different
 * outcomes, so the generated steps keep to the part OTP determines.
 */
function buildOps(procs: ProcNode[], actor: string, raws: RawOp[]): Op[] {
  const ops: Op[] = [];
  const isDriver = actor === 'driver';
  const servers = procs.filter((p) => p.kind === 'server' && p.name !== actor).map((p) => p.name);
  let previous: string | undefined;
  let ended = false;
  let signalled: string | undefined;
  raws.forEach((raw, i) => {
    const pick = (pool: string[]): string | undefined => {
      if (pool.length === 0) return undefined;
      if (raw.sameTarget && previous !== undefined && pool.includes(previous)) return previous;
      return pool[raw.target % pool.length];
    };
    const others = procs.map((p) => p.name).filter((n) => n !== actor);
    const all = procs.map((p) => p.name);
    let op: Op | undefined;
    switch (raw.kind) {
      case 'exit': {
        const t = pick(all); // a process may signal itself: exit(self(), R)
        if (t) op = { exit: t, reason: raw.reason };
        break;
      }
      case 'send': {
        const t = pick(all);
        if (t) op = { send: t, tag: i + 1 };
        break;
      }
      case 'link':
      case 'unlink':
      case 'monitor': {
        const t = isDriver ? undefined : pick(others);
        if (t) op = raw.kind === 'link' ? { link: t } : raw.kind === 'unlink' ? { unlink: t } : { monitor: t };
        break;
      }
      case 'demonitor': {
        const t = isDriver || i > 0 ? undefined : pick(others);
        if (t) op = { demonitor: t };
        break;
      }
      case 'call': {
        const t = pick(servers);
        if (!t) break;
        if (raw.request === 'never') {
          if (i === 0) op = { call: t, request: 'never' };
          break;
        }
        const request: CallRequest =
          raw.request === 'crash'
            ? { crash: raw.stopReason }
            : raw.request === 'stopReply'
              ? { stopReply: raw.stopReason }
              : raw.request === 'stopNoreply'
                ? { stopNoreply: raw.stopReason }
                : raw.request;
        op = { call: t, request };
        break;
      }
      case 'castStop': {
        const t = pick(servers);
        if (t) op = { castStop: t, reason: raw.stopReason };
        break;
      }
      case 'exitSelf':
        if (!isDriver && i === 0) op = { exitSelf: raw.stopReason };
        break;
    }
    const target = op ? Object.values(op)[0] : undefined;
    if (op && !ended && (signalled === undefined || target === signalled)) {
      ops.push(op);
      previous = typeof target === 'string' ? target : previous;
      ended = 'castStop' in op || ('exit' in op && op.exit === actor);
      if ('exit' in op && op.exit !== actor) signalled = op.exit;
    }
  });
  return ops;
}

/** A short stable name from the scenario's content (FNV-1a, 32 bit). */
export function processScenarioName(procs: ProcNode[], steps: Step[]): string {
  const text = JSON.stringify([procs, steps]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `proc_${h.toString(16).padStart(8, '0')}`;
}

export interface ProcessScenarioArbOptions {
  maxProcs?: number;
  maxSteps?: number;
  maxOps?: number;
  /** Timeout of `never` calls in ms (default 20: each one costs that much real time on OTP). */
  neverTimeout?: number;
}

/**
 * Valid scenarios: 2..maxProcs processes (plain or gen_server, trapping or not), a first phase
 * that links and monitors them, then steps by the driver or a process mixing exit signals of
 * every reason (to others and to self), messages, link/unlink, monitor/demonitor, calls that reply
 * now, later, never (timeout), crash, or stop with or without a reply, and stop casts. An
 * operation often aims at the previous one's target, so kill-then-act sequences are common.
 */
export function processScenarioArb(options: ProcessScenarioArbOptions = {}): fc.Arbitrary<ProcessScenario> {
  const maxProcs = options.maxProcs ?? 5;
  const maxSteps = options.maxSteps ?? 8;
  const maxOps = options.maxOps ?? 3;
  const neverTimeout = options.neverTimeout ?? 20;
  const procsArb = fc
    .array(fc.record({ kind: fc.constantFrom<'proc' | 'server'>('proc', 'server'), trap: fc.boolean() }), { minLength: 2, maxLength: maxProcs })
    .map((raw) => raw.map((p, i): ProcNode => ({ name: `p${i + 1}`, ...p })));
  return procsArb.chain((procs) => {
    const actorArb = fc.oneof({ weight: 2, arbitrary: fc.constant('driver') }, { weight: 3, arbitrary: fc.constantFrom(...procs.map((p) => p.name)) });
    const setupArb = fc.array(fc.record({ actor: fc.constantFrom(...procs.map((p) => p.name)), target: fc.nat({ max: 4 }), monitor: fc.boolean() }), {
      maxLength: 3,
    });
    const stepArb = fc.record({ actor: actorArb, raws: fc.array(rawOpArb, { minLength: 1, maxLength: maxOps }) });
    return fc.tuple(setupArb, fc.array(stepArb, { minLength: 1, maxLength: maxSteps })).map(([setup, raw]) => {
      const steps: Step[] = [];
      for (const s of setup) {
        const others = procs.filter((p) => p.name !== s.actor);
        const target = others[s.target % others.length]!.name;
        steps.push({ actor: s.actor, ops: [s.monitor ? { monitor: target } : { link: target }] });
      }
      for (const r of raw) {
        const ops = buildOps(procs, r.actor, r.raws);
        if (ops.length > 0) steps.push({ actor: r.actor, ops });
      }
      return { name: processScenarioName(procs, steps), procs, steps, neverTimeout };
    });
  });
}
