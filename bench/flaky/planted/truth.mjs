// What each planted test is (planted.planted.mjs): the answers classify.mjs checks `quiesce flaky` against.
export const TRUTH = {
  victim: { classification: 'flaky', orderDependent: true, polluter: 'polluter' },
  'flaky 1%': { classification: 'flaky', orderDependent: false },
  'flaky 5%': { classification: 'flaky', orderDependent: false },
  'flaky 20%': { classification: 'flaky', orderDependent: false },
  'stable pass': { classification: 'stable-pass' },
  broken: { classification: 'stable-fail' },
  polluter: { classification: 'stable-pass' },
};
