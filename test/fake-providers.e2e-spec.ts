import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenerativeAI, type ResponseSchema } from '@google/generative-ai';
import { Mistral } from '@mistralai/mistralai';
import Groq from 'groq-sdk';
import OpenAI from 'openai';
import {
  buildCaseJudgePrompt, buildJudgeRubric, CASE_JUDGE_SCHEMA_NAME, caseJudgeAnswerJsonSchema, JUDGE_CRITERION_NAMES, judgeAnswerJsonSchema, parseCaseJudgeAnswer,
  parseJudgeAnswer, type CaseJudgeInput,
} from '#domain';
import { generate, judgeCriterion, judgeVerdict, startFakeProviders, type FakeProvider, type FakeProviders } from './support/fake-providers.js';

/**
 * The fake provider driven by the five official SDKs, called as apps/eval-worker/src/judge/*.judge.ts
 * call them (baseURL / serverURL, no SDK retries), so what a test run's worker will meet is what
 * these tests pin down: generation answers that follow the prompt, a case judge that answers the
 * schema it is sent, the rubric judge as before, 429 with retry-after, and a provider that never answers.
 */
const PROVIDERS: FakeProvider[] = ['anthropic', 'openai', 'google', 'groq', 'mistral'];
const KEY = 'sk-fake-providers-test-key-000000';
const TIMEOUT_MS = 5000;

interface Call {
  system: string;
  user: string;
  /** A JSON schema the answer must fit (the case judge's, the rubric's), or none for a generation. */
  schema?: Record<string, unknown>;
  maxTokens?: number;
  timeoutMs?: number;
}

/** Google's dialect of JSON Schema: no additionalProperties. */
function googleSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(googleSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'additionalProperties').map(([k, v]) => [k, googleSchema(v)]));
}

/** One call through the provider's real SDK; the answer's text (Anthropic's forced tool input as JSON). */
async function callProvider(fake: FakeProviders, provider: FakeProvider, call: Call): Promise<string> {
  const timeout = call.timeoutMs ?? TIMEOUT_MS;
  const maxTokens = call.maxTokens ?? 1024;
  const messages = [{ role: 'system' as const, content: call.system }, { role: 'user' as const, content: call.user }];
  switch (provider) {
    case 'anthropic': {
      const client = new Anthropic({ apiKey: KEY, baseURL: fake.env.ANTHROPIC_BASE_URL, timeout, maxRetries: 0 });
      const tools = call.schema ? [{ name: 'submit', description: 'Submit the answer.', input_schema: call.schema as Anthropic.Tool.InputSchema }] : undefined;
      const message = await client.messages.create({
        model: 'claude-test', max_tokens: maxTokens, system: call.system, messages: [{ role: 'user', content: call.user }],
        ...(tools ? { tools, tool_choice: { type: 'tool' as const, name: 'submit' } } : {}),
      });
      const tool = message.content.find((b) => b.type === 'tool_use');
      if (tool && tool.type === 'tool_use') return JSON.stringify(tool.input);
      return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    }
    case 'openai': {
      const client = new OpenAI({ apiKey: KEY, baseURL: fake.env.OPENAI_BASE_URL, timeout, maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: 'gpt-test', max_completion_tokens: maxTokens, messages,
        ...(call.schema ? { response_format: { type: 'json_schema' as const, json_schema: { name: CASE_JUDGE_SCHEMA_NAME, schema: call.schema, strict: true } } } : {}),
      });
      return completion.choices[0]?.message?.content ?? '';
    }
    case 'groq': {
      const client = new Groq({ apiKey: KEY, baseURL: fake.env.GROQ_BASE_URL, timeout, maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: 'openai/gpt-oss-20b', max_completion_tokens: maxTokens, messages,
        ...(call.schema ? { response_format: { type: 'json_schema' as const, json_schema: { name: CASE_JUDGE_SCHEMA_NAME, schema: call.schema, strict: true } } } : {}),
      });
      return completion.choices[0]?.message?.content ?? '';
    }
    case 'mistral': {
      const client = new Mistral({ apiKey: KEY, serverURL: fake.env.MISTRAL_BASE_URL, timeoutMs: timeout, retryConfig: { strategy: 'none' } });
      const completion = await client.chat.complete({
        model: 'mistral-test', maxTokens, messages,
        ...(call.schema ? { responseFormat: { type: 'json_schema' as const, jsonSchema: { name: CASE_JUDGE_SCHEMA_NAME, schemaDefinition: call.schema, strict: true } } } : {}),
      }, { timeoutMs: timeout, retries: { strategy: 'none' } });
      const content = completion.choices?.[0]?.message?.content;
      return typeof content === 'string' ? content : (content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');
    }
    case 'google': {
      const model = new GoogleGenerativeAI(KEY).getGenerativeModel({
        model: 'gemini-test', systemInstruction: call.system,
        generationConfig: { maxOutputTokens: maxTokens, ...(call.schema ? { responseMimeType: 'application/json', responseSchema: googleSchema(call.schema) as ResponseSchema } : {}) },
      }, { baseUrl: fake.env.GOOGLE_BASE_URL });
      const result = await model.generateContent(call.user, { signal: AbortSignal.timeout(timeout) });
      return result.response.text();
    }
  }
}

/** A case judge's call, as a test run's worker makes it. */
const judgeCall = (input: CaseJudgeInput): Call => ({
  ...buildCaseJudgePrompt(input), schema: caseJudgeAnswerJsonSchema(input.criteria.length, input.baselineOutput !== null),
});

describe('the fake provider, through the five real SDKs', () => {
  let fake: FakeProviders;
  const ask = (provider: FakeProvider, call: Call) => callProvider(fake, provider, call);

  beforeAll(async () => {
    fake = await startFakeProviders();
  });
  beforeEach(() => {
    fake.reset();
    fake.answer = null;
  });
  afterAll(async () => {
    await fake?.close();
  });

  describe.each(PROVIDERS)('%s', (provider) => {
    it('answers a generation deterministically from the messages, and differently when the system message changes', async () => {
      const formal = { system: 'You are a support agent. Be formal.', user: 'Where is my refund for order 1234?' };
      const first = await ask(provider, formal);
      expect(await ask(provider, formal)).toBe(first);
      expect(first).toMatch(/^Dear customer, thank you for your message regarding where refund order 1234\. .*\(ref [0-9a-f]{8}\)$/);
      const casual = await ask(provider, { ...formal, system: 'You are a support agent. Be casual.' });
      expect(casual).toMatch(/^Hey there!/);
      const reworded = await ask(provider, { ...formal, system: 'You are a support agent.  Be formal.' });
      expect(reworded).not.toBe(first);
      expect(reworded.replace(/\(ref \w+\)/, '')).toBe(first.replace(/\(ref \w+\)/, ''));
      expect(fake.requests.map((r) => r.kind)).toEqual(['generation', 'generation', 'generation', 'generation']);
      expect(fake.requests[0].messages).toEqual([{ role: 'system', content: formal.system }, { role: 'user', content: formal.user }]);
    });

    it('cuts a generation at max_tokens, 4 characters a token', async () => {
      expect(await ask(provider, { system: 'Be helpful.', user: 'Tell me about refunds', maxTokens: 3 })).toBe('Here is an a');
    });

    it('judges a case from the schema it carries: the verdict and each criterion, in order', async () => {
      const baseline = generate([{ role: 'system', content: 'Be formal.' }, { role: 'user', content: 'refund please' }]);
      const candidate = generate([{ role: 'system', content: 'Be casual.' }, { role: 'user', content: 'refund please' }]);
      const criteria = ['addresses the customer formally', 'mentions "refund"', 'does not say "sorry"'];
      const answer = await ask(provider, judgeCall({ input: 'refund please', output: candidate, baselineOutput: baseline, criteria }));
      const parsed = parseCaseJudgeAnswer(answer, criteria.length, true);
      expect(parsed).toEqual({
        ok: true,
        judgement: {
          verdict: 'regressed', reason: 'The candidate lost the baseline\'s formal tone (it is casual now).',
          criteria: [
            { passed: false, reason: 'The answer\'s tone is casual.' },
            { passed: true, reason: 'The answer says "refund".' },
            { passed: true, reason: 'The answer does not say "sorry".' },
          ],
        },
      });
      expect(fake.requests[0]).toMatchObject({ kind: 'case_judge', format: 'schema', answeredAs: 'schema' });
    });

    it('judges the same answer "same", and a case without a baseline on its criteria only', async () => {
      const same = await ask(provider, judgeCall({ input: null, output: 'Hello (ref 00000000)', baselineOutput: 'hello  (ref 11111111)', criteria: [] }));
      expect(parseCaseJudgeAnswer(same, 0, true)).toMatchObject({ ok: true, judgement: { verdict: 'same' } });
      const alone = await ask(provider, judgeCall({ input: null, output: '{"a": 1}', baselineOutput: null, criteria: ['answers in JSON'] }));
      expect(JSON.parse(alone)).not.toHaveProperty('verdict');
      expect(parseCaseJudgeAnswer(alone, 1, false)).toEqual({ ok: true, judgement: { verdict: null, reason: null, criteria: [{ passed: true, reason: 'The answer is JSON.' }] } });
    });

    it('still answers the rubric judge as before', async () => {
      fake.verdict = { score: 6, suggestions: ['Name the audience.'] };
      const answer = await ask(provider, { ...buildJudgeRubric('You are a helpful assistant.'), schema: judgeAnswerJsonSchema() });
      const parsed = parseJudgeAnswer(answer, JUDGE_CRITERION_NAMES);
      expect(parsed).toMatchObject({ ok: true, evaluation: { score: 6, suggestions: ['Name the audience.'] } });
      expect(fake.requests[0].kind).toBe('rubric');
    });

    it('answers 429 with retry-after twice, then succeeds', async () => {
      fake.failNext(2, 429, { retryAfter: '2' });
      const call = { system: 'Be brief.', user: 'refunds' };
      for (let i = 0; i < 2; i++) {
        const err = await ask(provider, call).then(() => null, (e: unknown) => e as { status?: number; headers?: unknown });
        expect(err).not.toBeNull();
        // Every SDK puts the status on the error (`status`, or `statusCode` for Mistral's).
        expect((err as { status?: number }).status ?? (err as { statusCode?: number }).statusCode).toBe(429);
      }
      expect(await ask(provider, call)).toMatch(/^refunds: done\./);
      expect(fake.requests).toHaveLength(3);
    });

    it('never answers a hung request, so the client gives up, and answers the next one', async () => {
      fake.hangNext(1);
      await expect(ask(provider, { system: 'x', user: 'hang', timeoutMs: 300 })).rejects.toThrow();
      expect(await ask(provider, { system: 'x', user: 'after the hang' })).toMatch(/^Here is an answer about after hang\./);
    });
  });

  it('sends retry-after with a 429 in the header the SDKs read', async () => {
    fake.failNext(1, 429, { retryAfter: '7' });
    const err = await ask('openai', { system: 'x', user: 'y' }).then(() => null, (e: unknown) => e as { status: number; headers: Headers });
    if (err === null) throw new Error('no 429');
    expect(err.status).toBe(429);
    expect(err.headers.get('retry-after')).toBe('7');
  });

  it('never answers anything while neverAnswer is set', async () => {
    fake.neverAnswer = true;
    await expect(ask('anthropic', { system: 'x', user: 'y', timeoutMs: 200 })).rejects.toThrow();
    await expect(ask('google', { system: 'x', user: 'y', timeoutMs: 200 })).rejects.toThrow();
    expect(fake.requests).toHaveLength(2);
  });

  it('gives Google\'s generation answer in two parts, which the SDK joins', async () => {
    const text = await ask('google', { system: 'Be formal.', user: 'refund' });
    const res = await fetch(`${fake.url}/v1beta/models/gemini-test:generateContent`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': KEY },
      body: JSON.stringify({ systemInstruction: { parts: [{ text: 'Be formal.' }] }, contents: [{ role: 'user', parts: [{ text: 'refund' }] }] }),
    });
    const body = await res.json() as { candidates: { content: { parts: { text: string }[] } }[] };
    const parts = body.candidates[0].content.parts;
    expect(parts).toHaveLength(2);
    expect(parts.map((p) => p.text).join('')).toBe(text);
  });
});

describe('the fake provider\'s rules', () => {
  it.each([
    ['Answer in JSON.', 'hi there', /^\{"answer":"About there\.","ref":"[0-9a-f]{8}"\}$/],
    ['Be friendly.', 'help me', /^Hey there! Sure, happy to help with help\. Cheers! \(ref/],
    ['Be formal. Always mention "our refund policy".', 'refund', /regarding refund\. .* Kind regards\. Also: our refund policy\. \(ref/],
    ['Be concise.', '', /^concise: done\. \(ref/],
    ['You help.', 'a b c', /^Here is an answer about help\. \(ref/],
    ['', 'a b c', /^Here is an answer about your request\. \(ref/],
  ])('generates from system %j and user %j', (system, user, expected) => {
    expect(generate([{ role: 'system', content: system }, { role: 'user', content: user }])).toMatch(expected);
  });

  it.each([
    ['Dear x (ref 00000000)', 'dear X (ref 11111111)', 'same'],
    ['Dear x.', 'Hey x.', 'regressed'],
    ['Hey x.', 'Dear x.', 'improved'],
    ['x', '', 'regressed'],
    ['Hey x.', 'Hey y.', 'different'],
  ])('judges %j then %j as %s', (baseline, candidate, verdict) => {
    expect(judgeVerdict(baseline, candidate).verdict).toBe(verdict);
  });

  it.each([
    ['mentions "refund"', 'Your REFUND', true],
    ['mentions “refund”', 'nothing', false],
    ['never says "sorry"', 'Sorry!', false],
    ['doesn\'t say "sorry"', 'fine', true],
    ['is casual', 'Hey!', true],
    ['addresses the customer formally', 'Hey!', false],
    ['is valid JSON', '[1]', true],
    ['is short', 'x'.repeat(201), false],
    ['is helpful', 'anything', true],
  ])('answers criterion %j about %j: %s', (criterion, answer, passed) => {
    expect(judgeCriterion(criterion, answer).passed).toBe(passed);
  });
});
