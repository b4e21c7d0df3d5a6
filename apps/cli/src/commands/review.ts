import type { Schemas } from '../api/client.js';
import { positiveInteger } from '../core/args.js';
import { CliError, EXIT, usageError } from '../core/errors.js';
import { checksExit, evalOutcome, testRunOutcome, type CheckOutcome } from '../core/outcome.js';
import type { Context } from '../context.js';
import type { Outcome } from './outcome.js';
import { promptByKey } from './prompts.js';

const PROVIDERS = ['anthropic', 'openai', 'google', 'groq', 'mistral'] as const;
type Provider = (typeof PROVIDERS)[number];

/** A version a command acts on. */
interface Target { key: string; prompt_id: string; version_id: string; version_num: number }

/**
 * The versions submit, approve, reject, eval and test act on: with KEY, the version the last push
 * made of it (or `--version N`); without, every version the last push made.
 */
async function targets(ctx: Context): Promise<Target[]> {
  const key = ctx.line.positionals[0];
  const versionText = ctx.string('version');
  if (versionText !== undefined && key === undefined) throw usageError('--version N needs the prompt KEY before it');
  if (key === undefined) {
    const lock = ctx.requireLock();
    if (lock.last_push.length === 0) throw usageError('no push recorded in .promptgate.lock.json: push first, or name a KEY and --version N');
    return lock.last_push.map((k) => {
      const entry = lock.prompts[k];
      if (!entry?.pushed) throw usageError(`the lock file records no pushed version of ${k}`);
      return { key: k, prompt_id: entry.prompt_id, version_id: entry.pushed.version_id, version_num: entry.pushed.version_num };
    });
  }
  const entry = ctx.lock?.prompts[key];
  let promptId = entry?.prompt_id;
  if (!promptId) {
    const env = await ctx.environment();
    const prompt = await promptByKey(ctx.client(), env.id, key);
    if (!prompt) throw new CliError('not_found', `no prompt ${key} in ${env.name}`, EXIT.refused);
    promptId = prompt.id;
  }
  if (versionText === undefined) {
    if (!entry?.pushed) throw usageError(`no push of ${key} recorded in .promptgate.lock.json: give --version N`);
    return [{ key, prompt_id: promptId, version_id: entry.pushed.version_id, version_num: entry.pushed.version_num }];
  }
  const num = positiveInteger(versionText, '--version');
  const client = ctx.client();
  const id = promptId;
  const versions = await client.all((cursor) => client.get('/api/v1/prompts/{id}/versions', { path: { id }, query: { cursor, limit: 200 } }));
  const version = versions.find((v) => v.version_num === num);
  if (!version) throw new CliError('not_found', `${key} has no version ${num}`, EXIT.refused);
  return [{ key, prompt_id: promptId, version_id: version.id, version_num: num }];
}

const show = (t: Target) => `${t.key} v${t.version_num}`;
const versionView = (t: Target, v: Schemas['Version']) => ({ key: t.key, version_id: v.id, version_num: v.version_num, status: v.status });

export async function submit(ctx: Context): Promise<Outcome> {
  const list = await targets(ctx);
  const versions = [];
  for (const t of list) versions.push(versionView(t, (await ctx.client().post('/api/v1/versions/{id}/submit', { path: { id: t.version_id } })).version));
  return { exit: 0, data: { versions }, text: versions.map((v) => `submitted ${v.key} v${v.version_num}: ${v.status}`) };
}

export async function approve(ctx: Context): Promise<Outcome> {
  const list = await targets(ctx);
  const note = ctx.string('message');
  const versions = [];
  for (const t of list) {
    const { version } = await ctx.client().post('/api/v1/versions/{id}/approve', {
      path: { id: t.version_id }, body: { ...(note ? { note } : {}), ...(ctx.flag('override-eval') ? { override_eval: true } : {}) },
    });
    versions.push(versionView(t, version));
    // The file now matches the live version: later pushes are based on it.
    const entry = ctx.lock?.prompts[t.key];
    if (ctx.lock && entry?.pushed?.version_id === version.id) {
      Object.assign(entry, { version_id: entry.pushed.version_id, version_num: entry.pushed.version_num, hash: entry.pushed.hash, pushed: null });
      ctx.lock.last_push = ctx.lock.last_push.filter((k) => k !== t.key);
      ctx.folder.writeLock(ctx.lock);
    }
  }
  return { exit: 0, data: { versions }, text: versions.map((v) => `approved ${v.key} v${v.version_num}: live`) };
}

export async function reject(ctx: Context): Promise<Outcome> {
  const note = ctx.string('message');
  if (!note || note.trim() === '') throw usageError('reject needs -m NOTE: why the version is rejected');
  const list = await targets(ctx);
  const versions = [];
  for (const t of list) versions.push(versionView(t, (await ctx.client().post('/api/v1/versions/{id}/reject', { path: { id: t.version_id }, body: { note } })).version));
  return { exit: 0, data: { versions }, text: versions.map((v) => `rejected ${v.key} v${v.version_num}`) };
}

export async function rollback(ctx: Context): Promise<Outcome> {
  const [key, versionText] = ctx.line.positionals;
  const num = positiveInteger(versionText, 'VERSION');
  let promptId = ctx.lock?.prompts[key]?.prompt_id;
  if (!promptId) {
    const env = await ctx.environment();
    const prompt = await promptByKey(ctx.client(), env.id, key);
    if (!prompt) throw new CliError('not_found', `no prompt ${key} in ${env.name}`, EXIT.refused);
    promptId = prompt.id;
  }
  const note = ctx.string('message');
  const { version } = await ctx.client().post('/api/v1/prompts/{id}/rollback', { path: { id: promptId }, body: { version_num: num, ...(note ? { note } : {}) } });
  return {
    exit: 0,
    data: { version: { key, version_id: version.id, version_num: version.version_num, status: version.status, rollback_of_version_num: num } },
    text: [`rolled ${key} back to the content of v${num}: v${version.version_num} is live (pull to update the file)`],
  };
}

export async function auditVerify(ctx: Context): Promise<Outcome> {
  const ws = await ctx.workspaceId();
  const verdict = await ctx.client().get('/api/v1/workspaces/{ws}/audit/verify', { path: { ws } });
  if (verdict.ok) return { exit: 0, data: { workspace_id: ws, ...verdict }, text: [`audit chain intact: ${verdict.entries_checked} entries, head ${verdict.head_hash}`] };
  return {
    exit: 1, data: { workspace_id: ws, ...verdict },
    text: [`audit chain BROKEN at entry ${verdict.first_bad_seq} (${verdict.entries_checked} checked)`],
    error: { code: 'audit_chain_broken', message: `the audit chain does not recompute from entry ${verdict.first_bad_seq}` },
  };
}

function provider(value: string | undefined, flag: string): Provider | undefined {
  if (value === undefined) return undefined;
  if (!(PROVIDERS as readonly string[]).includes(value)) throw usageError(`${flag} must be one of ${PROVIDERS.join(', ')}, not "${value}"`);
  return value as Provider;
}

/** --api-key, else PROMPTGATE_PROVIDER_KEY, else none (the workspace's saved key is used). */
const providerKey = (ctx: Context) => ctx.string('api-key') ?? (ctx.io.env.PROMPTGATE_PROVIDER_KEY || undefined);

const POLL_MS = 500;
const WAIT_LIMIT_MS = 15 * 60_000;

/** Polls until `done`, writing a progress line to a terminal's standard error meanwhile. */
async function waitFor<T>(ctx: Context, what: string, fetchState: () => Promise<T>, done: (t: T) => boolean, describe: (t: T) => string): Promise<T> {
  const started = Date.now();
  if (ctx.progress) ctx.io.stderr.write(`${what}: queued`);
  for (;;) {
    const state = await fetchState();
    if (done(state)) {
      if (ctx.progress) ctx.io.stderr.write('\r\u001b[2K');
      return state;
    }
    if (ctx.progress) ctx.io.stderr.write(`\r\u001b[2K${what}: ${describe(state)} (${Math.round((Date.now() - started) / 1000)} s)`);
    if (Date.now() - started > WAIT_LIMIT_MS) {
      if (ctx.progress) ctx.io.stderr.write('\n');
      throw new CliError('timed_out', `${what} did not finish within ${WAIT_LIMIT_MS / 60_000} minutes (still ${describe(state)})`, EXIT.checkFailed);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const environmentOf = async (ctx: Context, promptId: string) => {
  const prompt = await ctx.client().get('/api/v1/prompts/{id}', { path: { id: promptId } });
  return (await ctx.client().get('/api/v1/environments/{env}', { path: { env: prompt.environment_id } })).environment;
};

/** `eval`: a rules eval (or a judge eval with --judge) of each target, waited for; exit 1 when a score is under the environment's threshold. */
export async function evaluate(ctx: Context): Promise<Outcome> {
  const judge = provider(ctx.string('judge'), '--judge');
  const model = ctx.string('model');
  if (!judge && (model || ctx.string('api-key'))) throw usageError('--model and --api-key go with --judge PROVIDER (a rules eval takes neither)');
  const list = await targets(ctx);
  const client = ctx.client();
  const results: Record<string, unknown>[] = [];
  const outcomes: CheckOutcome[] = [];
  const text: string[] = [];
  for (const t of list) {
    const env = await environmentOf(ctx, t.prompt_id);
    const apiKey = judge ? providerKey(ctx) : undefined;
    const body: Schemas['RequestEvalDto'] = judge
      ? { mode: 'judge', provider: judge, ...(model ? { model } : {}), ...(apiKey ? { api_key: apiKey } : {}) }
      : { mode: 'rules' };
    const queued = await client.post('/api/v1/versions/{id}/evals', { path: { id: t.version_id }, body });
    const evaluation = await waitFor(ctx, `eval ${show(t)}`, () => client.get('/api/v1/evals/{id}', { path: { id: queued.eval_id } }),
      (e) => e.status === 'succeeded' || e.status === 'failed', (e) => e.status);
    const outcome = evalOutcome(evaluation, env.eval_pass_threshold);
    outcomes.push(outcome);
    results.push({
      key: t.key, version_id: t.version_id, version_num: t.version_num, eval_id: evaluation.id, mode: evaluation.mode, status: evaluation.status,
      score: evaluation.score, threshold: env.eval_pass_threshold, passed: outcome.passed, dimensions: evaluation.dimensions, suggestions: evaluation.suggestions, error: evaluation.error,
    });
    text.push(`${outcome.passed ? 'pass' : 'FAIL'} eval ${show(t)}: ${outcome.reason}`);
    if (!outcome.passed) text.push(...evaluation.suggestions.slice(0, 5).map((s) => `  - ${s}`));
  }
  const exit = checksExit(outcomes);
  return {
    exit, data: { evals: results }, text,
    ...(exit === 1 ? { error: { code: 'eval_below_threshold', message: outcomes.filter((o) => !o.passed).map((o) => o.reason).join('; ') } } : {}),
  };
}

/** `test`: a test run of each target against the live version, waited for; exit 1 when a case fails or regresses. */
export async function test(ctx: Context): Promise<Outcome> {
  const answering = provider(ctx.string('provider'), '--provider');
  const model = ctx.string('model');
  const list = await targets(ctx);
  const client = ctx.client();
  const runs: Record<string, unknown>[] = [];
  const outcomes: CheckOutcome[] = [];
  const text: string[] = [];
  for (const t of list) {
    const env = await environmentOf(ctx, t.prompt_id);
    const apiKey = providerKey(ctx);
    const queued = await client.post('/api/v1/versions/{id}/test-runs', {
      path: { id: t.version_id }, body: { ...(answering ? { provider: answering } : {}), ...(model ? { model } : {}), ...(apiKey ? { api_key: apiKey } : {}) },
    });
    const run = await waitFor(ctx, `test ${show(t)}`, () => client.get('/api/v1/test-runs/{id}', { path: { id: queued.test_run_id } }),
      (r) => r.status === 'succeeded' || r.status === 'failed', (r) => `${r.status}, ${r.cases_done} of ${r.cases_total} cases`);
    const outcome = testRunOutcome(run, env.max_regressions);
    outcomes.push(outcome);
    const failing = run.results.filter((r) => r.error !== null || r.assertions.some((a) => !a.passed) || r.verdict === 'regressed');
    runs.push({
      key: t.key, version_id: t.version_id, version_num: t.version_num, test_run_id: run.id, status: run.status, baseline_version_id: run.baseline_version_id,
      cases_total: run.cases_total, cases_passed: run.cases_passed, regressions: run.regressions, max_regressions: env.max_regressions, passed: outcome.passed, error: run.error,
      cases: run.results.map((r) => ({
        name: r.name, passed: r.error === null && r.assertions.every((a) => a.passed), verdict: r.verdict, reason: r.reason, error: r.error,
        failed_assertions: r.assertions.filter((a) => !a.passed).map((a) => ({ type: a.type, value: a.value, detail: a.detail })),
      })),
    });
    text.push(`${outcome.passed ? 'pass' : 'FAIL'} test ${show(t)}: ${outcome.reason}`);
    for (const r of failing) {
      const why = [
        ...r.assertions.filter((a) => !a.passed).map((a) => `${a.type}${a.value === null ? '' : ` ${JSON.stringify(a.value)}`} failed${a.detail ? ` (${a.detail})` : ''}`),
        ...(r.verdict === 'regressed' ? [`regressed${r.reason ? `: ${r.reason}` : ''}`] : []),
        ...(r.error ? [r.error] : []),
      ];
      text.push(`  - ${r.name}: ${why.join('; ')}`);
    }
  }
  const exit = checksExit(outcomes);
  return {
    exit, data: { test_runs: runs }, text,
    ...(exit === 1 ? { error: { code: 'tests_failed', message: outcomes.filter((o) => !o.passed).map((o) => o.reason).join('; ') } } : {}),
  };
}
