import { randomBytes, randomUUID } from 'node:crypto';
import { loadWorkerConfig } from '#config';
import { redisNames, type Provider, type TestCaseResultJob } from '#contracts';
import { createWorker, type RunningWorker } from '../apps/eval-worker/src/app.factory.js';
import { redisNamespaceText } from './support/eval-queues.js';
import { startFakeProviders, type FakeProviders, type RecordedRequest } from './support/fake-providers.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from './support/redis.js';
import { caseJob, openTestRunQueues, type CaseOptions, type TestRunQueues } from './support/test-run-queues.js';

const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;
const JUDGE_CANARY = `sk-judge-canary-${randomBytes(12).toString('hex')}`;
const CALL_TIMEOUT_MS = 1000;
const CALL_ATTEMPTS = 3;
const RUN_MAX_PARALLEL = 2;

const MODELS: Record<Provider, string> = {
  openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5', google: 'gemini-2.0-flash', groq: 'llama-3.3-70b-versatile', mistral: 'mistral-small-latest',
};

/** The sampling settings as the provider received them, under its own parameter names. */
function samplingOf(r: RecordedRequest): Record<string, unknown> {
  const body = r.body as Record<string, unknown>;
  if (r.provider === 'google') {
    const c = body.generationConfig as Record<string, unknown>;
    return { temperature: c.temperature, top_p: c.topP, max_tokens: c.maxOutputTokens, stop: c.stopSequences };
  }
  if (r.provider === 'anthropic') return { temperature: body.temperature, top_p: body.top_p, max_tokens: body.max_tokens, stop: body.stop_sequences };
  return { temperature: body.temperature, top_p: body.top_p, max_tokens: body.max_completion_tokens ?? body.max_tokens, stop: body.stop };
}

/**
 * The eval worker's test-case consumer, in process, on real BullMQ and Redis, every provider
 * through its official SDK against the fake providers: answers, assertions, verdicts, retries,
 * the run's bounds, and keys kept out of Redis and the logs.
 */
describe('test cases through the eval worker', () => {
  const prefix = testRedisPrefix();
  const encryptionKey = randomBytes(32);
  const log: string[] = [];
  let fake: FakeProviders;
  let worker: RunningWorker;
  let queues: TestRunQueues;

  const runCases = async (jobs: CaseOptions[], timeoutMs?: number): Promise<TestCaseResultJob[]> => {
    const built = jobs.map((o) => caseJob({ ...o, apiKey: CANARY, encryptionKey }));
    for (const job of built) await queues.add(job);
    const byRun = new Map<string, string[]>();
    for (const job of built) byRun.set(job.run_id, [...(byRun.get(job.run_id) ?? []), job.case_id]);
    const results = (await Promise.all([...byRun].map(([run, cases]) => queues.resultsOf(run, cases, timeoutMs)))).flat();
    return built.map((job) => results.find((r) => r.case_id === job.case_id) as TestCaseResultJob);
  };
  const runOne = async (options: Partial<CaseOptions>) => (await runCases([options as CaseOptions]))[0];

  beforeAll(async () => {
    fake = await startFakeProviders();
    worker = await createWorker(loadWorkerConfig({
      APP_ENV: 'test', LOG_LEVEL: 'info', REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, ENCRYPTION_KEY: encryptionKey.toString('hex'),
      WORKER_HEALTH_PORT: '0', JUDGE_RETRY_BASE_MS: '20', JUDGE_RETRY_MAX_MS: '200',
      TEST_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS), TEST_CALL_MAX_ATTEMPTS: String(CALL_ATTEMPTS),
      TEST_CASE_CONCURRENCY: '4', TEST_RUN_MAX_PARALLEL: String(RUN_MAX_PARALLEL),
      ...fake.env,
    }), { logDestination: { write: (line: string) => { log.push(line); } } });
    queues = await openTestRunQueues(TEST_REDIS_URL, prefix);
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await queues?.close();
    await worker?.close();
    await fake?.close();
    await dropRedisPrefix(prefix);
  });

  it.each(Object.keys(MODELS) as Provider[])('%s: answers both versions with their own config, checks the assertions and judges an improvement', async (provider) => {
    const result = await runOne({
      provider, model: MODELS[provider], judgeKey: JUDGE_CANARY,
      content: 'You are a formal support agent. Always mention "our billing team".',
      config: { temperature: 0.3, top_p: 0.9, max_tokens: 900, stop: ['###'], seed: 7, frequency_penalty: 'x' },
      baseline: 'You are a casual support agent.', baselineConfig: { temperature: 1 },
      assertions: [
        { type: 'contains', value: 'Our Billing Team' },
        { type: 'not_contains', value: 'cheers' },
        { type: 'regex', value: '(?i)^dear customer' },
        { type: 'max_chars', value: 20 },
        { type: 'is_json', value: null },
        { type: 'judge', value: 'The answer is formal.' },
        { type: 'judge', value: 'The answer never says "refund".' },
      ],
    });
    expect(result).toMatchObject({ status: 'succeeded', verdict: 'improved', reason: 'The candidate is formal where the baseline was casual.' });
    if (result.status !== 'succeeded') return;
    expect(result.output).toMatch(/^Dear customer, thank you for your message regarding where invoice march\. We will be glad to assist you\. Kind regards\. Also: our billing team\. \(ref [0-9a-f]{8}\)$/);
    expect(result.baseline_output).toMatch(/^Hey there! Sure, happy to help with where invoice march\. Cheers!/);
    expect(result.assertions.map((a) => [a.type, a.passed])).toEqual([
      ['contains', true], ['not_contains', true], ['regex', true], ['max_chars', false], ['is_json', false], ['judge', true], ['judge', true],
    ]);
    expect(result.assertions[3].detail).toMatch(/^the answer is \d+ characters, over the limit of 20$/);
    expect(result.assertions[5].detail).toBe("The answer's tone is formal.");

    const generations = fake.requests.filter((r) => r.kind === 'generation');
    const judges = fake.requests.filter((r) => r.kind === 'case_judge');
    expect(generations.map((r) => [r.provider, r.model, r.key])).toEqual([[provider, MODELS[provider], CANARY], [provider, MODELS[provider], CANARY]]);
    expect(judges.map((r) => [r.provider, r.key, r.format])).toEqual([[provider, JUDGE_CANARY, provider === 'groq' ? 'json' : 'schema']]);
    const candidate = generations.find((r) => r.messages.some((m) => m.content.includes('formal'))) as RecordedRequest;
    const baseline = generations.find((r) => r !== candidate) as RecordedRequest;
    expect(candidate.messages).toEqual([
      { role: 'system', content: 'You are a formal support agent. Always mention "our billing team".' },
      { role: 'user', content: 'Where is my invoice for March?' },
    ]);
    // Anthropic's SDK takes no temperature or top_p; unknown keys (seed, a bad frequency_penalty) reach no provider.
    const sdkSamples = provider !== 'anthropic';
    expect(samplingOf(candidate)).toEqual({ temperature: sdkSamples ? 0.3 : undefined, top_p: sdkSamples ? 0.9 : undefined, max_tokens: 900, stop: ['###'] });
    expect(samplingOf(baseline)).toEqual({ temperature: sdkSamples ? 1 : undefined, top_p: undefined, max_tokens: 4096, stop: undefined });
    expect(candidate.text).not.toContain('seed');
  });

  it('asks only for the candidate when the baseline answer came with the job, and judges against it', async () => {
    const result = await runOne({ content: 'You are a casual helper.', baseline: 'You are a formal agent.', baselineOutput: 'Dear customer, we will help. Kind regards.' });
    expect(result).toMatchObject({ status: 'succeeded', verdict: 'regressed', baseline_output: 'Dear customer, we will help. Kind regards.' });
    expect(fake.requests.map((r) => r.kind)).toEqual(['generation', 'case_judge']);
  });

  it('calls no judge without a baseline or a judge assertion; the verdict is null', async () => {
    const result = await runOne({ content: 'You are brief.', input: null, assertions: [{ type: 'contains', value: 'done' }] });
    expect(result).toMatchObject({ status: 'succeeded', verdict: null, reason: null, baseline_output: null, assertions: [{ type: 'contains', passed: true, detail: null }] });
    expect(fake.requests.map((r) => r.kind)).toEqual(['generation']);
    // A text prompt with no input: its rendered content is the one message.
    expect(fake.requests[0].messages).toEqual([{ role: 'system', content: 'You are brief.' }]);
  });

  it('retries a 429 twice, honouring retry-after, then succeeds', async () => {
    fake.failNext(2, 429, { retryAfter: '0' });
    const result = await runOne({ provider: 'mistral', model: MODELS.mistral, content: 'You are brief.' });
    expect(result).toMatchObject({ status: 'succeeded' });
    expect(fake.requests).toHaveLength(3);
    expect(log.join('')).toContain('provider call failed; retrying');
  });

  it('fails a case on a refused key at once, with a message that carries no key', async () => {
    fake.failNext(1, 401);
    const result = await runOne({ provider: 'anthropic', model: MODELS.anthropic });
    expect(result).toMatchObject({ status: 'failed', error: "the candidate's answer: anthropic answered 401 (authentication failed)" });
    expect(fake.requests).toHaveLength(1);
  });

  it('fails a case whose key was sealed for another run', async () => {
    const job = caseJob({ apiKey: CANARY, encryptionKey });
    await queues.add({ ...job, sealed_key: caseJob({ apiKey: CANARY, encryptionKey }).sealed_key });
    const [result] = await queues.resultsOf(job.run_id, [job.case_id]);
    expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/^the provider key could not be opened/) });
    expect(fake.requests).toHaveLength(0);
  });

  it('runs a regex that would backtrack catastrophically on a long answer in linear time', async () => {
    const result = await runOne({
      // max_tokens high enough that the fake does not cut the answer: it ends "…aab: done. (ref …)".
      content: 'You are brief.', input: `${'a'.repeat(50_000)}b`, config: { max_tokens: 100_000 },
      assertions: [{ type: 'regex', value: '(a+)+$' }, { type: 'regex', value: '^(a|aa)+c' }, { type: 'regex', value: '(a|a)*b' }],
    });
    expect(result).toMatchObject({ status: 'succeeded' });
    if (result.status !== 'succeeded') return;
    // The assertions ran on the whole answer; what is stored is cut to 16 KiB.
    expect(result.output).toHaveLength(16_384);
    expect(result.assertions.map((a) => a.passed)).toEqual([false, false, true]);
  });

  it(`keeps at most ${RUN_MAX_PARALLEL} cases of one run in hand while another run's case goes ahead`, async () => {
    fake.neverAnswer = true;
    const runA = randomUUID();
    const a = Array.from({ length: 6 }, (_, i) => caseJob({ apiKey: CANARY, encryptionKey, runId: runA, index: i, input: `marker-a-${i} question` }));
    const b = caseJob({ apiKey: CANARY, encryptionKey, input: 'marker-b-0 question' });
    const bCalled = fake.nextRequest((r) => r.text.includes('marker-b-0'));
    for (const job of a) await queues.add(job);
    await queues.add(b);
    await bCalled;
    const aCases = new Set(fake.requests.flatMap((r) => /marker-a-(\d)/.exec(r.text)?.[1] ?? []));
    expect(aCases.size).toBe(RUN_MAX_PARALLEL);
    await queues.resultsOf(runA, a.map((j) => j.case_id), 30_000);
    await queues.resultsOf(b.run_id, [b.case_id], 30_000);
  });

  it('fails every case of a run whose provider never answers, each asked at most once per slot', async () => {
    fake.neverAnswer = true;
    const runId = randomUUID();
    const results = await runCases(Array.from({ length: 8 }, (_, i) => ({ runId, index: i, provider: 'google' as const, model: MODELS.google } as CaseOptions)), 30_000);
    expect(results.every((r) => r.status === 'failed')).toBe(true);
    const errors = results.map((r) => (r.status === 'failed' ? r.error : ''));
    const direct = `the candidate's answer: google timed out after ${CALL_TIMEOUT_MS / 1000} s, after ${CALL_ATTEMPTS} attempts`;
    expect(errors).toContain(direct);
    expect(errors.every((e) => e === direct || e === `${direct} (another case of this run; not asked again)`)).toBe(true);
    // Only the cases that held a slot asked (each its attempts); the rest failed on the run's mark.
    expect(fake.requests.length).toBeLessThanOrEqual(RUN_MAX_PARALLEL * CALL_ATTEMPTS);
    expect(errors.filter((e) => e !== direct).length).toBeGreaterThanOrEqual(8 - RUN_MAX_PARALLEL);
  });

  it('leaves the keys nowhere: not in a Redis key or value, nor a log line; the run slots are given back', async () => {
    expect(log.join('')).toContain('test case succeeded');
    expect(log.join('')).toContain('test case failed');
    expect(log.join('')).not.toContain(CANARY);
    expect(log.join('')).not.toContain(JUDGE_CANARY);
    const text = await redisNamespaceText(TEST_REDIS_URL, prefix);
    expect(text).toContain(':unreachable');
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(JUDGE_CANARY);
    expect(text).not.toContain(redisNames(prefix).testRunSlots(''));
  });
});
