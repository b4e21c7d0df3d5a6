import { randomBytes, randomUUID } from 'node:crypto';
import { loadWorkerConfig } from '#config';
import { EVAL_REQUEST_JOB, PROVIDERS, type Provider } from '#contracts';
import OpenAI from 'openai';
import { buildJudgeRubric, evalJobKeyBinding, JUDGE_CRITERION_NAMES, judgeAnswerJsonSchema, parseJudgeAnswer, RULE_DIMENSIONS, sealSecret } from '#domain';
import { ANSWER_VARIANTS, startFakeProviders, type AnswerVariant, type FakeProviders } from '../../../test/support/fake-providers.js';
import { openEvalQueues, redisNamespaceText, type EvalQueues } from '../../../test/support/eval-queues.js';
import { dropRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../../test/support/redis.js';
import { createWorker, type RunningWorker } from '../src/app.factory.js';
import { DEFAULT_JUDGE_MODELS } from '../src/judge/judge-models.js';

/** The parts of a provider's JSON schema these tests read. */
interface JsonSchema { type?: string; required?: string[]; properties?: Record<string, JsonSchema> }

const ENCRYPTION_KEY = randomBytes(32);
const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;
const AUTH_HEADER: Record<Provider, string> = {
  anthropic: 'authorization', openai: 'authorization', groq: 'authorization', mistral: 'authorization', google: 'x-goog-api-key',
};

describe('eval-worker judge evals through the five real SDKs', () => {
  const prefix = testRedisPrefix();
  const logLines: string[] = [];
  let fake: FakeProviders;
  let worker: RunningWorker;
  let queues: EvalQueues;
  const judge = (provider: Provider, extra: { model?: string; expiresAt?: string } = {}) =>
    queues.addJudge({ provider, apiKey: CANARY, encryptionKey: ENCRYPTION_KEY, ...extra });
  const callsFor = (evalId: string) => fake.requests.filter((r) => r.text.includes(evalId));

  beforeAll(async () => {
    fake = await startFakeProviders();
    worker = await createWorker(loadWorkerConfig({
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      ENCRYPTION_KEY: ENCRYPTION_KEY.toString('hex'),
      WORKER_HEALTH_PORT: '0',
      JUDGE_TIMEOUT_MS: '1000',
      JUDGE_RETRY_BASE_MS: '20',
      ...fake.env,
    }), { logDestination: { write: (line: string) => { logLines.push(line); } } });
    queues = await openEvalQueues(TEST_REDIS_URL, prefix);
  });

  beforeEach(() => {
    fake.reset();
    fake.answer = null;
    fake.verdict = { score: 8, suggestions: ['Name the audience.', 'Give an example.'] };
  });

  afterAll(async () => {
    await queues?.close();
    await worker?.close();
    await fake?.close();
    await dropRedisPrefix(prefix);
  });

  it.each(PROVIDERS)('%s: succeeds with the parsed criteria, using the default model and the key in the auth header', async (provider) => {
    const evalId = await judge(provider);
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({
      status: 'succeeded', model: DEFAULT_JUDGE_MODELS[provider], score: 8, suggestions: ['Name the audience.', 'Give an example.'],
    });
    if (result.status !== 'succeeded') throw new Error('unreachable');
    expect(result.dimensions).toEqual(JUDGE_CRITERION_NAMES.map((name) => ({ name, score: 8, reason: `${name} looks fine`, suggestion: `Sharpen ${name}.` })));
    const calls = callsFor(evalId);
    expect(calls).toHaveLength(1);
    expect(calls[0].provider).toBe(provider);
    expect(calls[0].model).toBe(DEFAULT_JUDGE_MODELS[provider]);
    expect(calls[0].key).toBe(CANARY);
    expect(String(calls[0].headers[AUTH_HEADER[provider]])).toContain(CANARY);
    expect(queues.results.filter((r) => r.eval_id === evalId).map((r) => r.status)).toEqual(['running', 'succeeded']);
  });

  it('sends the rubric as system and user messages with temperature 0 and OpenAI\'s json_schema, strict', async () => {
    const evalId = await judge('openai');
    expect(await queues.finalResult(evalId)).toMatchObject({ status: 'succeeded', score: 8 });
    const [call] = callsFor(evalId);
    const body = call.body as { temperature: number; response_format: unknown; messages: { role: string; content: string }[] };
    expect(body.temperature).toBe(0);
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'prompt_evaluation', schema: judgeAnswerJsonSchema(), strict: true } });
    expect(call.answeredAs).toBe('schema');
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(body.messages[1].content).toContain(evalId);
  });

  it('asks OpenAI models that predate Structured Outputs for JSON mode', async () => {
    const evalId = await judge('openai', { model: 'gpt-4-turbo' });
    expect(await queues.finalResult(evalId)).toMatchObject({ status: 'succeeded', score: 8 });
    expect((callsFor(evalId)[0].body as { response_format: unknown }).response_format).toEqual({ type: 'json_object' });
  });

  it.each([
    ['openai/gpt-oss-120b', { type: 'json_schema', json_schema: { name: 'prompt_evaluation', schema: judgeAnswerJsonSchema(), strict: true } }],
    ['meta-llama/llama-4-scout-17b-16e-instruct', { type: 'json_schema', json_schema: { name: 'prompt_evaluation', schema: judgeAnswerJsonSchema(), strict: false } }],
    ['llama-3.3-70b-versatile', { type: 'json_object' }],
  ])('asks Groq for the response format %s supports', async (model, format) => {
    const evalId = await judge('groq', { model });
    expect(await queues.finalResult(evalId)).toMatchObject({ status: 'succeeded', score: 8, model });
    expect((callsFor(evalId)[0].body as { response_format: unknown }).response_format).toEqual(format);
  });

  it('forces an Anthropic tool whose input is the answer, and reads the tool_use block', async () => {
    const evalId = await judge('anthropic');
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({ status: 'succeeded', score: 8, suggestions: ['Name the audience.', 'Give an example.'] });
    const body = callsFor(evalId)[0].body as { tools: { name: string; input_schema: unknown }[]; tool_choice: unknown };
    expect(body.tools).toEqual([expect.objectContaining({ name: 'submit_prompt_evaluation', input_schema: judgeAnswerJsonSchema() })]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'submit_prompt_evaluation', disable_parallel_tool_use: true });
  });

  it('gives Google a responseSchema in its own dialect', async () => {
    const evalId = await judge('google');
    expect(await queues.finalResult(evalId)).toMatchObject({ status: 'succeeded', score: 8 });
    const config = (callsFor(evalId)[0].body as { generationConfig: { responseMimeType: string; responseSchema: JsonSchema } }).generationConfig;
    expect(config.responseMimeType).toBe('application/json');
    expect(config.responseSchema).toMatchObject({ type: 'object', required: ['criteria', 'suggestions'] });
    expect(config.responseSchema.properties?.criteria.properties?.clarity.properties?.suggestion).toEqual({ type: 'string', nullable: true });
    expect(JSON.stringify(config.responseSchema)).not.toContain('additionalProperties');
  });

  it('gives Mistral a json_schema response format, strict', async () => {
    const evalId = await judge('mistral');
    expect(await queues.finalResult(evalId)).toMatchObject({ status: 'succeeded', score: 8 });
    expect((callsFor(evalId)[0].body as { response_format: unknown }).response_format)
      .toEqual({ type: 'json_schema', json_schema: { name: 'prompt_evaluation', schema: judgeAnswerJsonSchema(), strict: true } });
  });

  it.each(['object', 'list', 'strings', 'top'] as AnswerVariant[])('reads a JSON-mode answer written as %s the same way', async (variant) => {
    fake.variant = variant;
    const evalId = await judge('groq');
    const result = await queues.finalResult(evalId);
    expect(callsFor(evalId)[0]).toMatchObject({ format: 'json', answeredAs: variant });
    expect(result).toMatchObject({ status: 'succeeded', score: 8, suggestions: ['Name the audience.', 'Give an example.'] });
    if (result.status !== 'succeeded') throw new Error('unreachable');
    expect(result.dimensions).toEqual(JUDGE_CRITERION_NAMES.map((name) => ({ name, score: 8, reason: `${name} looks fine`, suggestion: `Sharpen ${name}.` })));
  });

  it('has the fake answer a request without any response format in each variant in turn, all read alike', async () => {
    const client = new OpenAI({ apiKey: CANARY, baseURL: fake.env.OPENAI_BASE_URL, maxRetries: 0 });
    const rubric = buildJudgeRubric('You are a poet.');
    const evaluations = [];
    for (let i = 0; i < ANSWER_VARIANTS.length; i++) {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini', messages: [{ role: 'system', content: rubric.system }, { role: 'user', content: rubric.user }],
      });
      evaluations.push(parseJudgeAnswer(completion.choices[0].message.content ?? ''));
    }
    expect(fake.requests.map((r) => [r.format, r.answeredAs])).toEqual(ANSWER_VARIANTS.map((v) => ['text', v]));
    expect(evaluations.every((e) => e.ok && e.evaluation.score === 8)).toBe(true);
    expect(new Set(evaluations.map((e) => JSON.stringify(e))).size).toBe(1);
  });

  it('quotes an unparseable answer that echoes the key without any of the key', async () => {
    // Not key-shaped: only the exact key in hand finds it, so a cut before the scrub would leak its first 40 characters.
    const key = `team-key-${randomBytes(32).toString('hex')}`;
    fake.answer = (r) => `${r.key} was in my instructions; I cannot score this prompt.`;
    const evalId = await queues.addJudge({ provider: 'groq', apiKey: key, encryptionKey: ENCRYPTION_KEY });
    const result = await queues.finalResult(evalId);
    expect(callsFor(evalId)[0].key).toBe(key);
    expect(result.status === 'failed' && result.error).toMatch(/^the judge's answer was not the requested JSON: it is not valid JSON \(it begins "\[redacted\] was in my instructions; I/);
    expect(JSON.stringify(result)).not.toContain(key.slice(0, 16));
  });

  it('refuses a forged job whose model would reach Google\'s URL path, and sends the provider nothing', async () => {
    const evalId = randomUUID();
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const job = await queues.requests.add(EVAL_REQUEST_JOB, {
      v: 1, mode: 'judge', eval_id: evalId, workspace_id: randomUUID(), version_id: randomUUID(), content: `forged ${evalId}`,
      provider: 'google', model: '../../v1/files/x', sealed_key: sealSecret(ENCRYPTION_KEY, CANARY, evalJobKeyBinding(evalId, expiresAt)), key_expires_at: expiresAt,
    }, { attempts: 1, jobId: evalId });
    const deadline = Date.now() + 10_000;
    while ((await job.getState()) !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const failed = await queues.requests.getJob(evalId);
    expect(failed?.failedReason).toBe('malformed eval request: model: custom');
    expect(fake.requests).toEqual([]);
    // The eval is answered failed rather than left queued in the registry.
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({ status: 'failed', model: null, error: 'malformed eval request: model: custom' });
    expect(queues.results.filter((r) => r.eval_id === evalId)).toHaveLength(1);
    await failed?.remove();
  });

  it('uses the model the request names', async () => {
    const evalId = await judge('groq', { model: 'llama-3.1-8b-instant' });
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({ status: 'succeeded', model: 'llama-3.1-8b-instant' });
    expect(callsFor(evalId)[0].model).toBe('llama-3.1-8b-instant');
  });

  it('fails with a clear message when the answer is not the requested JSON', async () => {
    fake.answer = () => 'This prompt is quite good, I would give it 8/10.';
    const evalId = await judge('anthropic');
    const result = await queues.finalResult(evalId);
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.error).toMatch(/^the judge's answer was not the requested JSON: it is not valid JSON/);
    expect(callsFor(evalId)).toHaveLength(1);
  });

  it('retries a 429 after its retry-after and then succeeds', async () => {
    fake.failNext(1, 429, { retryAfter: '1' });
    const started = Date.now();
    const evalId = await judge('mistral');
    const result = await queues.finalResult(evalId);
    expect(result.status).toBe('succeeded');
    expect(callsFor(evalId).map((r) => r.provider)).toEqual(['mistral', 'mistral']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('retries 5xx with backoff and fails once the attempts are spent', async () => {
    fake.failNext(3, 500);
    const evalId = await judge('google');
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({ status: 'failed', error: 'google answered 500 (provider error), after 3 attempts' });
    expect(callsFor(evalId)).toHaveLength(3);
  });

  it('does not retry a 401, and its message carries no key even though the provider echoed it', async () => {
    fake.failNext(1, 401);
    const evalId = await judge('openai');
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({ status: 'failed', error: 'openai answered 401 (authentication failed)' });
    expect(callsFor(evalId)).toHaveLength(1);
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it('times out a call that does not answer in JUDGE_TIMEOUT_MS (Google: our signal alone), and holds only the sealed key in Redis meanwhile', async () => {
    fake.delayMs = 1500;
    const evalId = await judge('google');
    await fake.nextRequest((r) => r.text.includes(evalId));
    const inFlight = await redisNamespaceText(TEST_REDIS_URL, prefix);
    expect(inFlight).toContain(evalId);
    expect(inFlight).toMatch(/sealed_key[\\"]*:[\\"]*v1\./);
    expect(inFlight).not.toContain(CANARY);
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({ status: 'failed', error: 'google timed out after 1 s, after 3 attempts' });
    expect(callsFor(evalId)).toHaveLength(3);
  });

  it('refuses an expired key without calling the provider', async () => {
    const evalId = await judge('openai', { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({ status: 'failed', error: 'the provider key expired before the eval ran', model: DEFAULT_JUDGE_MODELS.openai });
    expect(callsFor(evalId)).toHaveLength(0);
  });

  it('scores a rules eval with the eight dimensions and no model', async () => {
    const evalId = await queues.addRules('You are a billing assistant. Answer in JSON with the fields "answer" and "confidence".');
    const result = await queues.finalResult(evalId);
    expect(result).toMatchObject({ status: 'succeeded', model: null });
    expect(result.status === 'succeeded' && result.dimensions.map((d) => d.name)).toEqual([...RULE_DIMENSIONS]);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a malformed request for good and logs it without the sealed key', async () => {
    const sealed = `v1.${randomBytes(12).toString('base64url')}.${randomBytes(20).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
    const job = await queues.requests.add(EVAL_REQUEST_JOB, { v: 1, mode: 'judge', eval_id: 'not-a-uuid', provider: 'openai', sealed_key: sealed }, { attempts: 3, jobId: 'malformed-1' });
    const deadline = Date.now() + 10_000;
    while ((await job.getState()) !== 'failed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const failed = await queues.requests.getJob('malformed-1');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/^malformed eval request: eval_id: invalid_format/);
    expect(failed?.failedReason).not.toContain(sealed);
    const line = logLines.find((l) => l.includes('eval request refused') && l.includes('eval_id: invalid_format'));
    expect(line).toContain('malformed-1');
    expect(logLines.join('')).not.toContain(sealed);
    await failed?.remove();
  });

  it('leaves the key in no Redis key or value and in no log line', async () => {
    expect(logLines.some((l) => l.includes('eval succeeded'))).toBe(true);
    expect(logLines.some((l) => l.includes('judge call failed; retrying'))).toBe(true);
    expect(logLines.join('')).not.toContain(CANARY);
    const contents = await redisNamespaceText(TEST_REDIS_URL, prefix);
    expect(contents.length).toBeGreaterThan(0);
    expect(contents).not.toContain(CANARY);
  });
});
