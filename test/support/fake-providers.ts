import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CASE_JUDGE_DATA_END, CASE_JUDGE_DATA_START, caseCriterionKey } from '#domain';

/**
 * One HTTP server on 127.0.0.1 that answers as all five judge providers do, at the paths their
 * official SDKs call, so tests run the real SDKs without leaving the machine:
 *
 *   anthropic  POST /v1/messages                              (ANTHROPIC_BASE_URL = url)
 *   openai     POST /v1/chat/completions                      (OPENAI_BASE_URL = url/v1)
 *   groq       POST /openai/v1/chat/completions               (GROQ_BASE_URL = url)
 *   mistral    POST /v1/chat/completions                      (MISTRAL_BASE_URL = url)
 *   google     POST /v1beta/models/{model}:generateContent    (GOOGLE_BASE_URL = url)
 *
 * OpenAI and Mistral share a path; the SDKs' user agents tell them apart.
 *
 * It answers as a model would: the model's opinion is `verdict` (a score and suggestions), and
 * how it is written follows the request, as the real APIs do. A request that carries a schema
 * (OpenAI/Groq/Mistral `response_format.json_schema`, Anthropic a forced tool, Google
 * `generationConfig.responseSchema`) gets content generated from that schema (Anthropic a
 * `tool_use` block with `stop_reason: 'tool_use'`). A request without one gets a variant shape a
 * real model writes (`ANSWER_VARIANTS`): JSON mode only the JSON ones, plain text also a fenced
 * block or prose around the JSON. The variant is `variant` when set, else the next in turn.
 * `answer`, when set, scripts the model's exact words instead.
 *
 * Each request is one of three kinds (`RecordedRequest.kind`):
 * - `rubric`: a prompt evaluation (its messages show the rubric's answer shape, or it carries a schema
 *   and is no case judge): answered as above, exactly as before test runs existed.
 * - `case_judge`: a test run's judge (its user message holds the CASE_DATA block of libs/domain's
 *   buildCaseJudgePrompt, or its schema asks for `verdict` / `criterion_1`): answered by the rules of
 *   `judgeCase` below, in the schema's shape when it carries one, else as a JSON object (a fenced
 *   block or prose around it when `variant` is 'fenced' or 'prose').
 * - `generation`: anything else, a test run asking for the prompt's answer: answered by `generate`
 *   below, deterministically from the messages sent (a changed system message changes the answer).
 *   Google's answer comes in two text parts, as Gemini's sometimes does (the SDK's text() joins them);
 *   a `max_tokens` (or `max_completion_tokens`, `maxTokens`, `maxOutputTokens`) below the answer's
 *   length cuts it at 4 characters a token and reports the provider's own "length" stop reason.
 *
 * Failures: `failNext(n, 429, {retryAfter: '1'})` answers the next n requests 429 with that
 * `retry-after`, then answers normally; `hangNext(n)` (or `neverAnswer = true`) reads a request and
 * never answers it, until the client gives up or `close()`.
 *
 *   const fake = await startFakeProviders();
 *   fake.verdict = { score: 8, suggestions: ['Name the audience.'] };
 *   fake.variant = 'list';
 *   fake.failNext(1, 429, { retryAfter: '0' });
 *   const seen = fake.nextRequest((r) => r.text.includes(evalId));
 */
export type FakeProvider = 'anthropic' | 'openai' | 'google' | 'groq' | 'mistral';

export interface RecordedRequest {
  provider: FakeProvider;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The key as sent: Authorization without "Bearer ", x-api-key or x-goog-api-key. */
  key: string | null;
  model: string | null;
  body: unknown;
  /** The raw body, for matching on the prompt text. */
  text: string;
  format: AnswerFormat;
  /** The schema the request carried, as sent. */
  schema: unknown;
  /** How the fake wrote its answer: 'schema', a variant, or 'scripted' (`answer` was set). */
  answeredAs: AnswerVariant | 'schema' | 'scripted' | null;
  /** What the request is: a prompt evaluation, a test run's judge, or a test run asking for an answer. */
  kind: RequestKind;
  /** The messages as the model reads them, system first, each provider's shape flattened to text. */
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
}

export type RequestKind = 'rubric' | 'case_judge' | 'generation';

/** How a model writes its answer when no schema binds it; the first four are valid JSON. */
export const ANSWER_VARIANTS = ['object', 'list', 'strings', 'top', 'fenced', 'prose'] as const;
export type AnswerVariant = (typeof ANSWER_VARIANTS)[number];
const JSON_VARIANTS: readonly AnswerVariant[] = ['object', 'list', 'strings', 'top'];

/** What the request asked the answer to be: bound by a schema, any JSON, or free text. */
export type AnswerFormat = 'schema' | 'json' | 'text';

/** The model's opinion of the prompt, written out per request. */
export interface JudgeVerdict {
  score: number;
  suggestions: string[];
  reason?: (criterion: string) => string;
  suggestion?: (criterion: string) => string | null;
}

export interface ScriptedFailure {
  status: number;
  retryAfter?: string;
}

export interface FakeProviders {
  url: string;
  /** Base URL variables for the worker. */
  env: Record<'ANTHROPIC_BASE_URL' | 'OPENAI_BASE_URL' | 'GOOGLE_BASE_URL' | 'GROQ_BASE_URL' | 'MISTRAL_BASE_URL', string>;
  requests: RecordedRequest[];
  /** The model's opinion; reasons default to "<criterion> looks fine", suggestions to "Sharpen <criterion>.". */
  verdict: JudgeVerdict;
  /** The shape of an answer to a request without a schema; null takes each in turn. */
  variant: AnswerVariant | null;
  /** When set, the model's exact words (for a forced Anthropic tool: its input, when they are a JSON object). */
  answer: ((request: RecordedRequest) => string) | null;
  /** Milliseconds to wait before answering each request. */
  delayMs: number;
  /** While true, every request is read and never answered. */
  neverAnswer: boolean;
  /** The next `count` requests are read and never answered (after any scripted failures). */
  hangNext(count: number): void;
  /** The next `count` requests are answered with this failure, in the provider's error format. */
  failNext(count: number, status: number, options?: { retryAfter?: string }): void;
  /** Resolves when a request matching `predicate` (any request when omitted) arrives from now on. */
  nextRequest(predicate?: (request: RecordedRequest) => boolean): Promise<RecordedRequest>;
  /** Forgets recorded requests, scripted failures and hangs, answers at once again, takes variants in turn from the first. */
  reset(): void;
  close(): Promise<void>;
}

function providerOf(method: string, path: string, userAgent: string): FakeProvider | null {
  if (method !== 'POST') return null;
  if (path === '/v1/messages') return 'anthropic';
  if (path === '/openai/v1/chat/completions') return 'groq';
  if (path === '/v1/chat/completions') return /^openai/i.test(userAgent) ? 'openai' : 'mistral';
  if (/^\/v1(beta)?\/models\/[^/:]+:generateContent$/.test(path)) return 'google';
  return null;
}

function keyOf(headers: IncomingMessage['headers']): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  const apiKey = headers['x-api-key'] ?? headers['x-goog-api-key'];
  return typeof apiKey === 'string' ? apiKey : null;
}

function modelOf(provider: FakeProvider, path: string, body: unknown): string | null {
  if (provider === 'google') return /\/models\/([^/:]+):/.exec(path)?.[1] ?? null;
  const model = (body as { model?: unknown } | null)?.model;
  return typeof model === 'string' ? model : null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The forced Anthropic tool, if the request forces one. */
function forcedTool(body: Record<string, unknown>): { name: string; input_schema: unknown } | null {
  const choice = body.tool_choice;
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (!isObject(choice) || choice.type !== 'tool') return null;
  const tool = tools.find((t) => isObject(t) && t.name === choice.name);
  return isObject(tool) ? { name: String(tool.name), input_schema: tool.input_schema } : null;
}

function formatOf(provider: FakeProvider, body: unknown): { format: AnswerFormat; schema: unknown } {
  if (!isObject(body)) return { format: 'text', schema: null };
  if (provider === 'anthropic') {
    const tool = forcedTool(body);
    return tool ? { format: 'schema', schema: tool.input_schema } : { format: 'text', schema: null };
  }
  if (provider === 'google') {
    const config = isObject(body.generationConfig) ? body.generationConfig : {};
    if (config.responseSchema !== undefined) return { format: 'schema', schema: config.responseSchema };
    return { format: config.responseMimeType === 'application/json' ? 'json' : 'text', schema: null };
  }
  const rf = isObject(body.response_format) ? body.response_format : {};
  if (rf.type === 'json_schema' && isObject(rf.json_schema)) return { format: 'schema', schema: rf.json_schema.schema };
  return { format: rf.type === 'json_object' ? 'json' : 'text', schema: null };
}

/** Every string in the request body: a model reads the rubric from its messages. */
function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (isObject(value)) for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

/** The criteria the rubric in the messages names (`"clarity": { "score": ...`), in order. */
function criteriaAsked(body: unknown): string[] {
  const names = [...stringsOf(body).join('\n').matchAll(/"([A-Za-z0-9_]+)"\s*:\s*\{\s*"score"/g)].map((m) => m[1]);
  return [...new Set(names)];
}

function canonicalAnswer(verdict: JudgeVerdict, criteria: readonly string[]) {
  return {
    criteria: Object.fromEntries(criteria.map((name) => [name, {
      score: verdict.score,
      reason: verdict.reason ? verdict.reason(name) : `${name} looks fine`,
      suggestion: verdict.suggestion ? verdict.suggestion(name) : `Sharpen ${name}.`,
    }])),
    suggestions: verdict.suggestions,
  };
}

const typesOf = (schema: Record<string, unknown>): string[] =>
  (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());

/**
 * A value that fits `schema` (JSON Schema or Google's dialect), taking `source` where it fits, as
 * constrained decoding would: integers rounded, enums kept, required properties always present.
 */
function fromSchema(schema: unknown, source: unknown): unknown {
  if (!isObject(schema)) return source ?? null;
  const types = typesOf(schema);
  const nullable = types.includes('null') || schema.nullable === true;
  if (source === null && nullable) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.includes(source) ? source : schema.enum[0];
  if (types.includes('object') || (types.length === 0 && isObject(schema.properties))) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const from = isObject(source) ? source : {};
    return Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, fromSchema(sub, from[key])]));
  }
  if (types.includes('array')) return (Array.isArray(source) ? source : []).map((item) => fromSchema(schema.items, item));
  if (types.includes('integer')) return typeof source === 'number' ? Math.round(source) : 0;
  if (types.includes('number')) return typeof source === 'number' ? source : 0;
  if (types.includes('boolean')) return typeof source === 'boolean' ? source : false;
  if (types.includes('string')) return typeof source === 'string' ? source : source === null || source === undefined ? (nullable ? null : '') : JSON.stringify(source);
  return source ?? null;
}

/** The canonical answer written the way `variant` writes it. */
function writeVariant(variant: AnswerVariant, answer: ReturnType<typeof canonicalAnswer>): string {
  const list = Object.entries(answer.criteria).map(([name, entry]) => ({ name, ...entry }));
  switch (variant) {
    case 'object':
      return JSON.stringify(answer);
    case 'list':
      return JSON.stringify({ criteria: list, suggestions: answer.suggestions });
    case 'strings':
      return JSON.stringify({
        criteria: Object.fromEntries(list.map(({ name, score, ...rest }) => [name, { score: String(score), ...rest }])), suggestions: answer.suggestions,
      });
    case 'top':
      return JSON.stringify({ ...answer.criteria, suggestions: answer.suggestions });
    case 'fenced':
      return `\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\``;
    case 'prose':
      return `Here is my evaluation of the prompt.\n\n${JSON.stringify(answer, null, 2)}\n\nLet me know if you would like more detail.`;
  }
}

type Message = RecordedRequest['messages'][number];

/** A content as text: a string, or the text of a list of blocks/parts (`{type: 'text', text}`, Google's `{text}`). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
  if (isObject(content) && Array.isArray(content.parts)) return textOf(content.parts);
  return '';
}

/** The messages a request sends, in each provider's own shape: OpenAI-style `messages`, Anthropic's `system` + `messages`, Google's `systemInstruction` + `contents`. */
function messagesOf(provider: FakeProvider, body: unknown): Message[] {
  if (!isObject(body)) return [];
  const out: Message[] = [];
  const roleOf = (role: unknown): Message['role'] => (role === 'system' || role === 'developer' ? 'system' : role === 'assistant' || role === 'model' ? 'assistant' : 'user');
  if (provider === 'google') {
    if (body.systemInstruction !== undefined) out.push({ role: 'system', content: textOf(body.systemInstruction) });
    for (const c of Array.isArray(body.contents) ? body.contents : []) if (isObject(c)) out.push({ role: roleOf(c.role), content: textOf(c.parts) });
    return out;
  }
  if (provider === 'anthropic' && body.system !== undefined) out.push({ role: 'system', content: textOf(body.system) });
  for (const m of Array.isArray(body.messages) ? body.messages : []) if (isObject(m)) out.push({ role: roleOf(m.role), content: textOf(m.content) });
  return out;
}

/** The JSON data block of a case judge's user message (libs/domain buildCaseJudgePrompt): between the marker lines. */
function caseJudgeData(messages: readonly Message[]): Record<string, unknown> | null {
  for (const message of messages) {
    const lines = message.content.split('\n');
    const start = lines.indexOf(CASE_JUDGE_DATA_START);
    const end = lines.indexOf(CASE_JUDGE_DATA_END, start + 1);
    if (start < 0 || end < 0) continue;
    try {
      const data: unknown = JSON.parse(lines.slice(start + 1, end).join('\n'));
      if (isObject(data)) return data;
    } catch {
      // Not our block: keep looking.
    }
  }
  return null;
}

function isCaseJudgeSchema(schema: unknown): boolean {
  if (!isObject(schema) || !isObject(schema.properties)) return false;
  const criteria = schema.properties.criteria;
  return schema.properties.verdict !== undefined || (isObject(criteria) && isObject(criteria.properties) && criteria.properties[caseCriterionKey(0)] !== undefined);
}

function kindOf(request: Pick<RecordedRequest, 'format' | 'schema' | 'messages' | 'body'>): RequestKind {
  if (isCaseJudgeSchema(request.schema) || caseJudgeData(request.messages) !== null) return 'case_judge';
  if (criteriaAsked(request.body).length > 0 || request.format === 'schema') return 'rubric';
  return 'generation';
}

/** Letters-and-digits words of 4 characters or more, lower-cased, each once, in order. */
const wordsOf = (text: string, max: number) => [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? []))].slice(0, max);

/**
 * The fake model's answer to a generation request. Deterministic: the same messages always get
 * the same answer, and any change to them changes it (the `(ref ...)` is the first 8 hex digits
 * of a SHA-256 of the messages). The rules, on the system messages' text, first match wins:
 *   mentions "json", or JSON mode is on      -> {"answer": "About <topic>.", "ref": "<ref>"}
 *   informal / casual / friendly / relaxed   -> "Hey there! Sure, happy to help with <topic>. Cheers! (ref ...)"
 *   formal                                   -> "Dear customer, thank you for your message regarding <topic>. We will be glad to assist you. Kind regards. (ref ...)"
 *   brief / terse / concise / short          -> "<topic>: done. (ref ...)"
 *   otherwise                                -> "Here is an answer about <topic>. (ref ...)"
 * <topic> is the first five words of 4+ letters of the last user message (else of the system text;
 * "your request" when there are none). Each "double-quoted phrase" (up to 3, 1-60 characters) in
 * the system text is echoed as "Also: <phrase>." before the ref, so a prompt that says
 * `always mention "our refund policy"` gets an answer that does.
 */
export function generate(messages: readonly Message[], json = false): string {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const ref = createHash('sha256').update(JSON.stringify(messages.map((m) => [m.role, m.content]))).digest('hex').slice(0, 8);
  const words = wordsOf(lastUser, 5);
  const topic = (words.length > 0 ? words : wordsOf(system, 5)).join(' ') || 'your request';
  const echoes = [...system.matchAll(/"([^"\n]{1,60})"/g)].slice(0, 3).map((m) => ` Also: ${m[1]}.`).join('');
  if (json || /\bjson\b/i.test(system)) return JSON.stringify({ answer: `About ${topic}.${echoes}`, ref });
  if (/\b(informal|casual|friendly|relaxed)\b/i.test(system)) return `Hey there! Sure, happy to help with ${topic}. Cheers!${echoes} (ref ${ref})`;
  if (/\bformal\b/i.test(system)) return `Dear customer, thank you for your message regarding ${topic}. We will be glad to assist you. Kind regards.${echoes} (ref ${ref})`;
  if (/\b(brief|terse|concise|short)\b/i.test(system)) return `${topic}: done.${echoes} (ref ${ref})`;
  return `Here is an answer about ${topic}.${echoes} (ref ${ref})`;
}

type Tone = 'formal' | 'casual' | 'plain';
const toneOf = (answer: string): Tone =>
  /\bdear\b|\bkind regards\b|\bsincerely\b/i.test(answer) ? 'formal' : /\bhey\b|\bcheers\b|\bhi there\b/i.test(answer) ? 'casual' : 'plain';
/** An answer as a user reads it: without the fake's `(ref ...)`, case and spacing. */
const normalAnswer = (answer: string) => answer.replace(/\s*\(ref [0-9a-f]{8}\)/g, '').replace(/\s+/g, ' ').trim().toLowerCase();

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The fake judge's verdict on a candidate answer against a baseline answer, first rule that applies:
 *   the same once the `(ref ...)`, case and spacing are set aside  -> same
 *   the baseline is formal ("Dear", "Kind regards") and the candidate is not -> regressed
 *   the candidate is formal and the baseline is not              -> improved
 *   the candidate is empty and the baseline is not               -> regressed
 *   otherwise                                                    -> different
 */
export function judgeVerdict(baseline: string, candidate: string): { verdict: 'same' | 'improved' | 'regressed' | 'different'; reason: string } {
  if (normalAnswer(baseline) === normalAnswer(candidate)) return { verdict: 'same', reason: 'The answers say the same thing in the same tone.' };
  const before = toneOf(baseline);
  const after = toneOf(candidate);
  if (before === 'formal' && after !== 'formal') return { verdict: 'regressed', reason: `The candidate lost the baseline's formal tone (it is ${after} now).` };
  if (after === 'formal' && before !== 'formal') return { verdict: 'improved', reason: `The candidate is formal where the baseline was ${before}.` };
  if (candidate.trim() === '' && baseline.trim() !== '') return { verdict: 'regressed', reason: 'The candidate answer is empty.' };
  return { verdict: 'different', reason: 'The answers differ, neither better nor worse.' };
}

/**
 * The fake judge's answer to one criterion about `answer`, first rule that applies:
 *   a "quoted phrase" (straight or curly double quotes) after not / never / without / no / n't
 *                                                                     -> passes when the answer lacks it
 *   a "quoted phrase"                                                 -> passes when the answer has it (any case)
 *   informal / casual / friendly                                      -> passes when the answer is casual ("Hey", "Cheers")
 *   formal / formally                                                 -> passes when the answer is formal ("Dear", "Kind regards")
 *   json                                                              -> passes when the whole answer parses as JSON
 *   short / brief / concise                                           -> passes when the answer is at most 200 characters
 *   otherwise                                                         -> passes (nothing in the answer contradicts it)
 */
export function judgeCriterion(criterion: string, answer: string): { passed: boolean; reason: string } {
  const quoted = /((?:\b(?:not|never|without|no)\b|n't)[^"“]*)?["“]([^"”]{1,200})["”]/i.exec(criterion);
  if (quoted) {
    const has = answer.toLowerCase().includes(quoted[2].toLowerCase());
    return quoted[1]
      ? { passed: !has, reason: has ? `The answer says "${quoted[2]}".` : `The answer does not say "${quoted[2]}".` }
      : { passed: has, reason: has ? `The answer says "${quoted[2]}".` : `The answer never says "${quoted[2]}".` };
  }
  const tone = toneOf(answer);
  if (/\b(informal|casual|friendly)\b/i.test(criterion)) return { passed: tone === 'casual', reason: `The answer's tone is ${tone}.` };
  if (/\bformal(ly)?\b/i.test(criterion)) return { passed: tone === 'formal', reason: `The answer's tone is ${tone}.` };
  if (/\bjson\b/i.test(criterion)) return isJson(answer.trim()) ? { passed: true, reason: 'The answer is JSON.' } : { passed: false, reason: 'The answer is not JSON.' };
  if (/\b(short|brief|concise)\b/i.test(criterion)) {
    return { passed: answer.length <= 200, reason: `The answer is ${answer.length} characters long.` };
  }
  return { passed: true, reason: 'Nothing in the answer contradicts it.' };
}

/** The case judge's whole answer, from the data block (criteria and answers) and the schema (what is asked). */
function judgeCase(request: RecordedRequest): Record<string, unknown> {
  const data = caseJudgeData(request.messages) ?? {};
  const candidate = typeof data.candidate_answer === 'string' ? data.candidate_answer : '';
  const out: Record<string, unknown> = {};
  if (typeof data.baseline_answer === 'string') Object.assign(out, judgeVerdict(data.baseline_answer, candidate));
  const criteria = Array.isArray(data.criteria) ? data.criteria.filter((c): c is string => typeof c === 'string') : [];
  if (criteria.length > 0) out.criteria = Object.fromEntries(criteria.map((c, i) => [caseCriterionKey(i), judgeCriterion(c, candidate)]));
  return out;
}

/** The request's output-token limit, under whichever name its provider uses. */
function maxTokensOf(body: unknown): number | null {
  if (!isObject(body)) return null;
  const config = isObject(body.generationConfig) ? body.generationConfig : {};
  const n = body.max_tokens ?? body.max_completion_tokens ?? body.maxTokens ?? config.maxOutputTokens;
  return typeof n === 'number' && n > 0 ? n : null;
}

type ModelOutput = { kind: 'text'; text: string; cutShort?: boolean; parts?: number } | { kind: 'tool'; name: string; input: unknown };

function successBody(provider: FakeProvider, model: string | null, output: ModelOutput): unknown {
  if (provider === 'anthropic') {
    const content = output.kind === 'tool'
      ? [{ type: 'tool_use', id: 'toolu_fake01', name: output.name, input: output.input }]
      : [{ type: 'text', text: output.text }];
    return {
      id: 'msg_fake', type: 'message', role: 'assistant', model, content,
      stop_reason: output.kind === 'tool' ? 'tool_use' : output.cutShort ? 'max_tokens' : 'end_turn', stop_sequence: null, usage: { input_tokens: 100, output_tokens: 50 },
    };
  }
  const text = output.kind === 'text' ? output.text : JSON.stringify(output.input);
  const cutShort = output.kind === 'text' && output.cutShort === true;
  if (provider === 'google') {
    // A generation's answer in two parts, split after a word, as Gemini sometimes sends it.
    const split = output.kind === 'text' && output.parts === 2 ? text.indexOf(' ', Math.floor(text.length / 2)) : -1;
    const parts = split > 0 ? [{ text: text.slice(0, split) }, { text: text.slice(split) }] : [{ text }];
    return {
      candidates: [{ content: { role: 'model', parts }, finishReason: cutShort ? 'MAX_TOKENS' : 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 50, totalTokenCount: 150 }, modelVersion: model,
    };
  }
  const message = provider === 'openai' ? { role: 'assistant', content: text, refusal: null } : { role: 'assistant', content: text };
  return {
    id: 'chatcmpl-fake', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message, finish_reason: cutShort ? 'length' : 'stop', logprobs: null }],
    usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
  };
}

/** Error bodies as the providers send them; a 401 echoes the key the way OpenAI's does, so tests see it scrubbed. */
function errorBody(provider: FakeProvider, status: number, key: string | null): unknown {
  const message = status === 401 ? `Incorrect API key provided: ${key ?? ''}` : status === 429 ? 'Rate limit reached' : 'Internal error';
  if (provider === 'anthropic') return { type: 'error', error: { type: status === 401 ? 'authentication_error' : 'api_error', message } };
  if (provider === 'google') return { error: { code: status, message, status: status === 401 ? 'UNAUTHENTICATED' : 'UNAVAILABLE' } };
  return { error: { message, type: status === 401 ? 'invalid_request_error' : 'server_error', code: status === 401 ? 'invalid_api_key' : null } };
}

export async function startFakeProviders(): Promise<FakeProviders> {
  let failures: ScriptedFailure[] = [];
  let hangs = 0;
  let turn = 0;
  let waiters: { predicate: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const fake: FakeProviders = {
    url: '',
    env: { ANTHROPIC_BASE_URL: '', OPENAI_BASE_URL: '', GOOGLE_BASE_URL: '', GROQ_BASE_URL: '', MISTRAL_BASE_URL: '' },
    requests: [],
    verdict: { score: 7, suggestions: ['Name the audience.'] },
    variant: null,
    answer: null,
    delayMs: 0,
    neverAnswer: false,
    failNext(count, status, options = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, retryAfter: options.retryAfter });
    },
    hangNext(count) {
      hangs += count;
    },
    nextRequest(predicate = () => true) {
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    reset() {
      fake.requests.length = 0;
      failures = [];
      hangs = 0;
      fake.neverAnswer = false;
      fake.delayMs = 0;
      fake.variant = null;
      turn = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  /** What the model says to one request, written the way that request asked for. */
  const modelOutput = (request: RecordedRequest): ModelOutput => {
    const tool = request.provider === 'anthropic' && isObject(request.body) ? forcedTool(request.body) : null;
    if (fake.answer) {
      request.answeredAs = 'scripted';
      const text = fake.answer(request);
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch {
        input = undefined;
      }
      return tool && isObject(input) ? { kind: 'tool', name: tool.name, input } : { kind: 'text', text };
    }
    if (request.kind === 'generation') {
      const text = generate(request.messages, request.format === 'json');
      const maxTokens = maxTokensOf(request.body);
      const cutShort = maxTokens !== null && text.length > maxTokens * 4;
      return { kind: 'text', text: cutShort ? text.slice(0, maxTokens * 4) : text, cutShort, parts: 2 };
    }
    if (request.kind === 'case_judge') {
      const judged = judgeCase(request);
      if (request.format === 'schema') {
        request.answeredAs = 'schema';
        const input = fromSchema(request.schema, judged);
        return tool ? { kind: 'tool', name: tool.name, input } : { kind: 'text', text: JSON.stringify(input) };
      }
      const variant = request.format === 'text' && (fake.variant === 'fenced' || fake.variant === 'prose') ? fake.variant : 'object';
      request.answeredAs = variant;
      const json = JSON.stringify(judged, null, variant === 'object' ? undefined : 2);
      return { kind: 'text', text: variant === 'fenced' ? `\`\`\`json\n${json}\n\`\`\`` : variant === 'prose' ? `My judgement of the case:\n\n${json}\n\nThat is all.` : json };
    }
    const answer = canonicalAnswer(fake.verdict, criteriaAsked(request.body));
    if (request.format === 'schema') {
      request.answeredAs = 'schema';
      const input = fromSchema(request.schema, answer);
      return tool ? { kind: 'tool', name: tool.name, input } : { kind: 'text', text: JSON.stringify(input) };
    }
    const allowed = request.format === 'json' ? JSON_VARIANTS : ANSWER_VARIANTS;
    const variant = fake.variant && allowed.includes(fake.variant) ? fake.variant : allowed[turn++ % allowed.length];
    request.answeredAs = variant;
    return { kind: 'text', text: writeVariant(variant, answer) };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      const provider = providerOf(req.method ?? 'GET', path, String(req.headers['user-agent'] ?? ''));
      if (!provider) return send(res, 404, { error: { message: `no fake provider at ${req.method} ${path}` } });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, 400, { error: { message: 'body is not JSON' } });
      }
      const { format, schema } = formatOf(provider, body);
      const messages = messagesOf(provider, body);
      const request: RecordedRequest = {
        provider, method: req.method ?? 'POST', path, headers: req.headers, key: keyOf(req.headers), model: modelOf(provider, path, body), body, text,
        format, schema, answeredAs: null, messages, kind: kindOf({ format, schema, messages, body }),
      };
      fake.requests.push(request);
      const matched = waiters.filter((w) => w.predicate(request));
      waiters = waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.resolve(request);

      const failure = failures.shift();
      if (!failure && (fake.neverAnswer || hangs > 0)) {
        // Read, never answered: the client's timeout (or close()) ends it.
        if (!fake.neverAnswer) hangs--;
        return;
      }
      const reply = () => {
        if (failure) {
          send(res, failure.status, errorBody(provider, failure.status, request.key), failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter });
        } else {
          send(res, 200, successBody(provider, request.model, modelOutput(request)));
        }
      };
      if (fake.delayMs > 0) setTimeout(reply, fake.delayMs);
      else reply();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.env = {
    ANTHROPIC_BASE_URL: fake.url,
    OPENAI_BASE_URL: `${fake.url}/v1`,
    GOOGLE_BASE_URL: fake.url,
    GROQ_BASE_URL: fake.url,
    MISTRAL_BASE_URL: fake.url,
  };
  return fake;
}

/** A judge answer in the rubric's shape, every criterion scored `score`. */
export function judgeAnswerText(criteria: readonly string[], score: number, suggestions: string[] = ['Name the audience.']): string {
  return JSON.stringify({
    criteria: Object.fromEntries(criteria.map((name) => [name, { score, reason: `${name} looks fine`, suggestion: `Sharpen ${name}.` }])),
    suggestions,
  });
}
