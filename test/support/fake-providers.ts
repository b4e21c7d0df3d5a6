import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
 *   const fake = await startFakeProviders();
 *   fake.answer = () => '{"criteria": ...}';
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
  /** The answer text of a successful call. */
  answer: (request: RecordedRequest) => string;
  /** Milliseconds to wait before answering each request. */
  delayMs: number;
  /** The next `count` requests are answered with this failure, in the provider's error format. */
  failNext(count: number, status: number, options?: { retryAfter?: string }): void;
  /** Resolves when a request matching `predicate` (any request when omitted) arrives from now on. */
  nextRequest(predicate?: (request: RecordedRequest) => boolean): Promise<RecordedRequest>;
  /** Forgets recorded requests and scripted failures, answers at once again. */
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

function successBody(provider: FakeProvider, model: string | null, text: string): unknown {
  if (provider === 'anthropic') {
    return {
      id: 'msg_fake', type: 'message', role: 'assistant', model, content: [{ type: 'text', text }],
      stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 100, output_tokens: 50 },
    };
  }
  if (provider === 'google') {
    return {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 50, totalTokenCount: 150 }, modelVersion: model,
    };
  }
  return {
    id: 'chatcmpl-fake', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
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
    answer: () => '{}',
    delayMs: 0,
    failNext(count, status, options = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, retryAfter: options.retryAfter });
    },
    nextRequest(predicate = () => true) {
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    reset() {
      fake.requests.length = 0;
      failures = [];
      fake.delayMs = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      const provider = providerOf(req.method ?? 'GET', path, String(req.headers['user-agent'] ?? ''));
      if (!provider) return send(res, 404, { error: { message: `no fake provider at ${req.method} ${path}` } });
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, 400, { error: { message: 'body is not JSON' } });
      }
      const request: RecordedRequest = {
        provider, method: req.method ?? 'POST', path, headers: req.headers, key: keyOf(req.headers), model: modelOf(provider, path, body), body, text,
      };
      fake.requests.push(request);
      const matched = waiters.filter((w) => w.predicate(request));
      waiters = waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.resolve(request);

      const failure = failures.shift();
      const reply = () => {
        if (failure) {
          send(res, failure.status, errorBody(provider, failure.status, request.key), failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter });
        } else {
          send(res, 200, successBody(provider, request.model, fake.answer(request)));
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
