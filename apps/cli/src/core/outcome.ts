/** Whether an eval or a test run passes the check a CI job fails on (docs/CLI.md, "Exit codes"). */
export interface CheckOutcome { passed: boolean; reason: string }

export interface EvalLike { status: string; score: number | null; error: string | null }

/** An eval passes when it succeeded with a score at or above the environment's threshold. */
export function evalOutcome(evaluation: EvalLike, threshold: number): CheckOutcome {
  if (evaluation.status !== 'succeeded') return { passed: false, reason: `the eval ${evaluation.status}${evaluation.error ? `: ${evaluation.error}` : ''}` };
  const score = evaluation.score ?? 0;
  return score >= threshold
    ? { passed: true, reason: `score ${score} at or above the threshold ${threshold}` }
    : { passed: false, reason: `score ${score} under the threshold ${threshold}` };
}

export interface RunLike {
  status: string;
  cases_total: number;
  cases_passed: number;
  regressions: number;
  error: string | null;
}

/**
 * A test run passes when it succeeded with every case passing and no more regressions than the
 * environment allows (`max_regressions`, 0 unless set): the test gate's rule.
 */
export function testRunOutcome(run: RunLike, maxRegressions: number): CheckOutcome {
  if (run.status !== 'succeeded') return { passed: false, reason: `the test run ${run.status}${run.error ? `: ${run.error}` : ''}` };
  const failing = run.cases_total - run.cases_passed;
  const problems: string[] = [];
  if (failing > 0) problems.push(`${failing} of ${run.cases_total} case${run.cases_total === 1 ? '' : 's'} failing`);
  if (run.regressions > maxRegressions) problems.push(`${run.regressions} regressed (at most ${maxRegressions} allowed)`);
  return problems.length === 0
    ? { passed: true, reason: `${run.cases_passed} of ${run.cases_total} passed, ${run.regressions} regressed` }
    : { passed: false, reason: problems.join(', ') };
}

/** The exit code of a list of checks: 0 when every one passed, 1 when any failed. */
export const checksExit = (outcomes: readonly CheckOutcome[]) => (outcomes.every((o) => o.passed) ? 0 : 1);
