// A chaos script: a monkey over a small ledger service, one seed after another, from plain Node
// (no Vitest). Run it from the repository after `npm run build`:
//
//   node docs/examples/chaos-script.mjs                 # 20 seeds; exit 0 when every seed held
//   node docs/examples/chaos-script.mjs --seed 7        # replay one seed (the summary prints this)
//   node docs/examples/chaos-script.mjs --planted-bug   # the ledger forgets its balance on restart: exit 1
//   node docs/examples/chaos-script.mjs --broken-start  # the service cannot start: exit 2
//   node docs/examples/chaos-script.mjs --os            # the workers are OS processes
import { FAULTY_CHILD, monkey } from '@quiesce/chaos';
import { runChaos } from '@quiesce/chaos/script';
import { osProcess, startSupervisor, supervisor, worker } from '@quiesce/runtime';

const flags = new Set(process.argv.slice(2));
const buggy = flags.has('--planted-bug');

/** A ledger whose balance must never go down; the buggy one keeps it only in its process state. */
function ledgerService(ctx) {
  const disk = { balance: 0 };
  const seen = { balance: 0, highest: 0 };
  const ledger = {
    init: () => {
      if (flags.has('--broken-start')) throw new Error('the ledger cannot open its journal');
      seen.balance = buggy ? 0 : disk.balance;
      return { state: seen.balance };
    },
    handleCast: (_deposit, balance) => {
      disk.balance = balance + 1;
      seen.balance = balance + 1;
      return { state: balance + 1 };
    },
  };
  const workers = flags.has('--os')
    ? [0, 1].map((i) => osProcess(`os${i}`, { command: process.execPath, args: [FAULTY_CHILD], ready: /^ready$/ }))
    : [worker('audit', (c) => c.spawn(() => undefined))];
  const spec = supervisor({
    id: 'ledger-app',
    intensity: 1000,
    period: 1,
    children: [worker('ledger', (c) => c.startServer(ledger, undefined, { name: 'ledger' })), ...workers],
  });
  return { spec, seen, runtime: ctx.runtime };
}

const report = await runChaos({
  seeds: 20,
  steps: 40,
  timeBudgetMs: 60_000,
  // Could not start (a throw here): exit code 2.
  start: async (ctx) => {
    const service = ledgerService(ctx);
    const root = await startSupervisor(ctx.runtime, service.spec);
    return { ...service, root };
  },
  scenario: ({ runtime, system, steps }) => {
    const deposit = {
      name: 'deposit',
      enabled: () => runtime.whereis('ledger') !== undefined,
      run: () => runtime.cast('ledger', 'deposit'),
    };
    const invariants = {
      'the balance never goes down': () => {
        if (system.seen.balance < system.seen.highest) return `it went from ${system.seen.highest} to ${system.seen.balance}`;
        system.seen.highest = system.seen.balance;
        return true;
      },
    };
    const profile = { deposit: 5, kill: 1, crash: 1, hang: 1, slow: 1, delay: 1, heal: 2 };
    const gap = flags.has('--os') ? { min: 5, max: 20 } : undefined;
    return monkey(runtime, { target: system.root, actions: [deposit], profile, steps, invariants, ...(gap ? { gap } : {}) }).check();
  },
});
// process.exitCode is set: 0 every seed held, 1 one failed, 2 the service could not be started.
void report;
