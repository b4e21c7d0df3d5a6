import fc from 'fast-check';
import { ForbiddenError } from '../errors.js';
import type { AssertionResult } from './assertions.js';
import { decideTestGate, summariseRun, TestGateError, type CaseResult, type GateRun, type TestGateInput } from './test-gate.js';

const LIVE = 'live-version';
const run = (over: Partial<GateRun> = {}): GateRun => ({
  id: 'run-1', baseline_version_id: LIVE, cases_total: 3, cases_passed: 3, regressions: 0, created_at: '2026-01-01T10:00:00Z', ...over,
});
const gate = (over: Partial<TestGateInput> = {}): TestGateInput => ({
  testsRequired: true, maxRegressions: 0, liveVersionId: LIVE, runs: [run()], overrideAllowed: false, override: false, ...over,
});
const refusal = (input: TestGateInput) => {
  const decision = decideTestGate(input);
  if (decision.ok) throw new Error('the gate passed');
  return decision.refusal;
};

describe('decideTestGate', () => {
  it('does not gate where tests are not required', () => {
    expect(decideTestGate(gate({ testsRequired: false, runs: [] }))).toEqual({ ok: true, gated: false, overridden: false, runId: null });
  });

  it('passes on a run against the live version in which every case passed', () => {
    expect(decideTestGate(gate())).toEqual({ ok: true, gated: true, overridden: false, runId: 'run-1' });
  });

  it('passes with regressions up to max_regressions, and not one more', () => {
    expect(decideTestGate(gate({ maxRegressions: 2, runs: [run({ regressions: 2 })] }))).toMatchObject({ ok: true });
    const r = refusal(gate({ maxRegressions: 2, runs: [run({ regressions: 3 })] }));
    expect(r).toBeInstanceOf(TestGateError);
    expect(r).toMatchObject({ code: 'tests_failed', kind: 'unprocessable', details: { test_run_id: 'run-1', regressions: 3, max_regressions: 2 } });
    expect(r.message).toMatch(/3 regressions against the live version, more than the 2 allowed/);
  });

  it('refuses tests_failed when a case failed, saying how many', () => {
    const r = refusal(gate({ runs: [run({ cases_passed: 2 })] }));
    expect(r).toMatchObject({ code: 'tests_failed' });
    expect(r.message).toMatch(/1 of 3 cases failed their assertions/);
    expect(refusal(gate({ runs: [run({ cases_total: 0, cases_passed: 0 })] })).message).toMatch(/ran no cases/);
  });

  it('refuses tests_required without a run, telling the person to start one', () => {
    const r = refusal(gate({ runs: [] }));
    expect(r).toMatchObject({ code: 'tests_required', kind: 'unprocessable', details: { live_version_id: LIVE } });
    expect(r.message).toMatch(/Start a test run/);
  });

  it('does not count a run against an old baseline, nor a run that did not succeed', () => {
    const r = refusal(gate({ runs: [run({ baseline_version_id: 'old-live' }), run({ id: 'run-2', status: 'failed' }), run({ id: 'run-3', status: 'running' })] }));
    expect(r).toMatchObject({ code: 'tests_required' });
    expect(r.message).toMatch(/another baseline than the version live now/);
  });

  it('needs a run with no baseline when no version is live', () => {
    expect(decideTestGate(gate({ liveVersionId: null, runs: [run({ baseline_version_id: null })] }))).toMatchObject({ ok: true, runId: 'run-1' });
    expect(refusal(gate({ liveVersionId: null }))).toMatchObject({ code: 'tests_required', message: expect.stringContaining('no version is live') });
  });

  it('is decided by the newest counted run, not by any older one that passed', () => {
    const older = run({ id: 'old', created_at: '2026-01-01T09:00:00Z' });
    const newer = run({ id: 'new', created_at: new Date('2026-01-01T11:00:00Z'), cases_passed: 1 });
    expect(refusal(gate({ runs: [older, newer] }))).toMatchObject({ code: 'tests_failed', details: { test_run_id: 'new' } });
    expect(decideTestGate(gate({ runs: [run({ id: 'old', cases_passed: 0, created_at: '2026-01-01T09:00:00Z' }), run({ id: 'new' })] }))).toMatchObject({ ok: true, runId: 'new' });
  });

  it('lets an admin override a refusal, naming the newest run of any status, or null', () => {
    const runs = [run({ cases_passed: 0 }), run({ id: 'queued', status: 'queued', created_at: '2026-02-01T00:00:00Z' })];
    expect(decideTestGate(gate({ runs, override: true, overrideAllowed: true }))).toEqual({ ok: true, gated: true, overridden: true, runId: 'queued' });
    expect(decideTestGate(gate({ runs: [], override: true, overrideAllowed: true }))).toEqual({ ok: true, gated: true, overridden: true, runId: null });
  });

  it('refuses an override by someone who may not, and needs none when the tests pass', () => {
    expect(refusal(gate({ runs: [], override: true }))).toBeInstanceOf(ForbiddenError);
    expect(decideTestGate(gate({ override: true }))).toEqual({ ok: true, gated: true, overridden: false, runId: 'run-1' });
  });

  it('passes exactly when the newest counted run passed, whatever the order given (property)', () => {
    const arbRun = fc.record({
      id: fc.uuid(), status: fc.constantFrom('succeeded' as const, 'failed' as const, undefined), baseline_version_id: fc.constantFrom(LIVE, 'other', null),
      cases_total: fc.integer({ min: 1, max: 5 }), cases_passed: fc.integer({ min: 0, max: 5 }), regressions: fc.integer({ min: 0, max: 3 }),
      created_at: fc.integer({ min: 0, max: 10_000 }).map((n) => new Date(n * 1000).toISOString()),
    }).map((r) => ({ ...r, cases_passed: Math.min(r.cases_passed, r.cases_total) }));
    fc.assert(fc.property(fc.array(arbRun, { maxLength: 6 }), fc.integer({ min: 0, max: 2 }), (runs, maxRegressions) => {
      const decision = decideTestGate(gate({ runs, maxRegressions }));
      const reversed = decideTestGate(gate({ runs: [...runs].reverse(), maxRegressions }));
      expect(reversed).toEqual(decision);
      const counted = runs.filter((r) => (r.status ?? 'succeeded') === 'succeeded' && r.baseline_version_id === LIVE);
      if (counted.length === 0) expect(decision).toMatchObject({ ok: false, refusal: { code: 'tests_required' } });
      if (decision.ok) {
        const passing = counted.find((r) => r.id === decision.runId);
        expect(passing).toBeDefined();
        expect(passing?.cases_passed).toBe(passing?.cases_total);
        expect(passing?.regressions).toBeLessThanOrEqual(maxRegressions);
        expect(counted.every((r) => r.created_at <= (passing as GateRun).created_at)).toBe(true);
      }
    }));
  });
});

describe('summariseRun', () => {
  const ok: AssertionResult = { type: 'contains', value: 'a', passed: true, detail: null };
  const bad: AssertionResult = { type: 'contains', value: 'b', passed: false, detail: 'the answer does not contain "b"' };
  const answered = (assertions: AssertionResult[], verdict: CaseResult & { outcome: 'answered' } extends { verdict: infer V } ? V : never = null): CaseResult => ({ outcome: 'answered', assertions, verdict });

  it('is running until every case has a result, with the counts so far', () => {
    expect(summariseRun([answered([ok], 'regressed')], 3)).toEqual({ status: 'running', cases_total: 3, cases_done: 1, cases_passed: 1, regressions: 1, error: null });
  });

  it('succeeds when every case was answered, counting passes and regressed verdicts only', () => {
    const results = [answered([ok], 'same'), answered([ok, bad], 'improved'), answered([], 'regressed'), answered([ok], 'different'), answered([ok])];
    expect(summariseRun(results, 5)).toEqual({ status: 'succeeded', cases_total: 5, cases_done: 5, cases_passed: 4, regressions: 1, error: null });
  });

  it('fails once every case has a result and one could not be answered, quoting the first error', () => {
    const results: CaseResult[] = [answered([ok]), { outcome: 'failed', error: 'openai answered 429 (rate limited)' }, { outcome: 'failed', error: 'timed out' }];
    expect(summariseRun(results, 3)).toEqual({
      status: 'failed', cases_total: 3, cases_done: 3, cases_passed: 1, regressions: 0,
      error: '2 of 3 cases could not be answered or judged; the first: openai answered 429 (rate limited)',
    });
  });
});
