import { checksExit, evalOutcome, testRunOutcome } from './outcome.js';

describe('the checks a CI job fails on', () => {
  it.each([
    [{ status: 'succeeded', score: 7, error: null }, 7, true],
    [{ status: 'succeeded', score: 6.9, error: null }, 7, false],
    [{ status: 'succeeded', score: 10, error: null }, 10, true],
    [{ status: 'failed', score: null, error: 'judge unreachable' }, 0, false],
  ])('eval %j against threshold %d passes: %s', (evaluation, threshold, passed) => {
    expect(evalOutcome(evaluation, threshold).passed).toBe(passed);
  });

  it.each([
    [{ status: 'succeeded', cases_total: 3, cases_passed: 3, regressions: 0, error: null }, 0, true],
    [{ status: 'succeeded', cases_total: 3, cases_passed: 2, regressions: 0, error: null }, 0, false],
    [{ status: 'succeeded', cases_total: 3, cases_passed: 3, regressions: 1, error: null }, 0, false],
    [{ status: 'succeeded', cases_total: 3, cases_passed: 3, regressions: 1, error: null }, 1, true],
    [{ status: 'failed', cases_total: 3, cases_passed: 3, regressions: 0, error: 'stalled' }, 0, false],
  ])('test run %j with max_regressions %d passes: %s', (run, max, passed) => {
    expect(testRunOutcome(run, max).passed).toBe(passed);
  });

  it('names what failed', () => {
    expect(testRunOutcome({ status: 'succeeded', cases_total: 2, cases_passed: 0, regressions: 2, error: null }, 0).reason)
      .toBe('2 of 2 cases failing, 2 regressed (at most 0 allowed)');
    expect(evalOutcome({ status: 'succeeded', score: 5.5, error: null }, 7).reason).toBe('score 5.5 under the threshold 7');
  });

  it('exits 1 when any check failed, 0 when all passed (or there were none)', () => {
    expect(checksExit([{ passed: true, reason: '' }, { passed: false, reason: '' }])).toBe(1);
    expect(checksExit([{ passed: true, reason: '' }])).toBe(0);
    expect(checksExit([])).toBe(0);
  });
});
