import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Promptgate,
  PromptgateAuthError,
  PromptgateConfigError,
  PromptgateError,
  PromptgateNotFoundError,
  PromptgateRateLimitError,
  PromptgateTimeoutError,
  PromptgateUnavailableError,
  PromptgateValidationError,
  type PromptgateOptions,
} from './index.js';

const API_KEY = 'pg_test_sdkspec';

interface RecordedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the gateway answered, recorded as it answers. */
  reply?: Reply;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A gateway on 127.0.0.1 that answers as API.md says (auth, 404s, pins, vars, JSON, etag and
 * 304) and records every request, so the tests count what really crossed the network.
 */
class FakeGateway {
  readonly requests: RecordedRequest[] = [];
  /** Each prompt's versions, version 1 first; the last one is live. */
  readonly prompts = new Map<string, string[]>();
  /** Replaces the answer to every request; `hang` never answers. */
  override: 'hang' | (() => Reply) | null = null;
  /** Sets `x-prompt-stale: 1`, as a gateway whose store is down does. */
  staleAtGateway = false;
  answerDelayMs = 0;
  /** While set, answers wait for it: a gateway that stays slow for exactly as long as the test says. */
  gate: Promise<void> | null = null;
  url = '';
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const request: RecordedRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body };
        this.requests.push(request);
        if (this.override === 'hang') return;
        const gate = this.gate ?? Promise.resolve();
        setTimeout(() => {
          void gate.then(() => {
            const reply = typeof this.override === 'function' ? this.override() : this.answer(request);
            request.reply = reply;
            res.writeHead(reply.status, reply.headers).end(reply.body);
          });
        }, this.answerDelayMs);
      });
    });
  }

  static async start(): Promise<FakeGateway> {
    const gateway = new FakeGateway();
    gateway.server.listen(0, '127.0.0.1');
    await once(gateway.server, 'listening');
    gateway.url = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
    return gateway;
  }

  approve(key: string, content: string): void {
    this.prompts.set(key, [...(this.prompts.get(key) ?? []), content]);
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.close();
    this.server.closeAllConnections();
    await once(this.server, 'close');
  }

  private answer(request: RecordedRequest): Reply {
    if (request.headers.authorization !== `Bearer ${API_KEY}`) return errorReply(401, 'invalid_api_key');
    const key = decodeURIComponent(request.url.pathname.replace(/^\/v1\/serve\//, ''));
    const versions = this.prompts.get(key);
    if (!versions) return errorReply(404, 'prompt_not_found');
    const pinned = request.url.searchParams.get('version');
    if (pinned !== null && !/^[1-9][0-9]*$/.test(pinned)) return errorReply(400, 'validation_failed');
    const version = pinned === null ? versions.length : Number(pinned);
    if (version > versions.length) return errorReply(404, 'version_not_found');
    const values =
      request.method === 'POST'
        ? new Map(Object.entries((JSON.parse(request.body) as { variables: Record<string, string> }).variables))
        : new Map(request.url.searchParams.getAll('vars').map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)]));
    const unfilled: string[] = [];
    const content = versions[version - 1].replace(/\{\{([A-Za-z0-9_]+)\}\}/g, (placeholder, name: string) => {
      if (values.has(name)) return values.get(name)!;
      unfilled.push(name);
      return placeholder;
    });
    const headers: Record<string, string> = {
      etag: `"${createHash('sha256').update(`${key}\n${version}\n${content}`).digest('hex').slice(0, 16)}"`,
      'x-prompt-version': String(version),
    };
    if (this.staleAtGateway) headers['x-prompt-stale'] = '1';
    if (request.headers['if-none-match'] === headers.etag) return { status: 304, headers, body: '' };
    if (request.method === 'POST' || request.url.searchParams.get('format') === 'json') {
      return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ key, version, content, unfilled_variables: unfilled }) };
    }
    return { status: 200, headers: { ...headers, 'content-type': 'text/plain' }, body: content };
  }
}

function errorReply(status: number, code: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ error: { code, message: `${code} (fake gateway)` } }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, withinMs = 2000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`);
    await sleep(5);
  }
}

describe('Promptgate SDK against a gateway on 127.0.0.1', () => {
  let gateway: FakeGateway;
  let errors: PromptgateError[];

  beforeEach(async () => {
    gateway = await FakeGateway.start();
    gateway.approve('support.greeting', 'Hello {{name}}, you are talking to {{company}} support.');
    errors = [];
  });
  afterEach(() => gateway.close());

  function client(options: Partial<PromptgateOptions> = {}): Promptgate {
    // Bound to this test's array: a background revalidation still running from an earlier test reports elsewhere.
    const reported = errors;
    return new Promptgate({ apiKey: API_KEY, baseUrl: gateway.url, onError: (error) => reported.push(error), ...options });
  }

  describe('options', () => {
    it.each([
      ['no options at all', undefined],
      ['a missing apiKey', { baseUrl: 'http://127.0.0.1:8080' }],
      ['a blank apiKey', { apiKey: '  ' }],
      ['a baseUrl that is not a URL', { apiKey: API_KEY, baseUrl: 'localhost 8080' }],
      ['a baseUrl that is not http(s)', { apiKey: API_KEY, baseUrl: 'ftp://gateway.example' }],
      ['a baseUrl with a query', { apiKey: API_KEY, baseUrl: 'http://gateway.example/?x=1' }],
      ['a negative cacheTtlMs', { apiKey: API_KEY, cacheTtlMs: -1 }],
      ['a zero timeoutMs', { apiKey: API_KEY, timeoutMs: 0 }],
      ['a fractional maxCacheEntries', { apiKey: API_KEY, maxCacheEntries: 1.5 }],
      ['a fetch that is not a function', { apiKey: API_KEY, fetch: 'fetch' }],
    ])('refuses %s with PromptgateConfigError', (_case, options) => {
      expect(() => new Promptgate(options as PromptgateOptions)).toThrow(PromptgateConfigError);
    });

    it('calls http://localhost:8080 by default and accepts a base URL with a path and a trailing slash', async () => {
      const urls: string[] = [];
      const recording = (url: string) => {
        urls.push(url);
        return Promise.resolve(Response.json({ key: 'k', version: 1, content: 'c', unfilled_variables: [] }));
      };
      await new Promptgate({ apiKey: API_KEY, fetch: recording }).serve('k');
      await new Promptgate({ apiKey: API_KEY, baseUrl: 'https://edge.example/promptgate/', fetch: recording }).serve('k');
      expect(urls).toEqual(['http://localhost:8080/v1/serve/k?format=json', 'https://edge.example/promptgate/v1/serve/k?format=json']);
    });

    it('refuses bad serve arguments without a request, even with a fallback', async () => {
      const pg = client();
      await expect(pg.serve('', { fallback: 'x' })).rejects.toThrow(PromptgateConfigError);
      await expect(pg.serve('support.greeting', { version: 0, fallback: 'x' })).rejects.toThrow(PromptgateConfigError);
      await expect(pg.serve('support.greeting', { version: 1.5 })).rejects.toThrow(PromptgateConfigError);
      await expect(pg.serve('support.greeting', { variables: { 'first-name': 'Ada' }, fallback: 'x' })).rejects.toThrow(/first-name/);
      expect(gateway.requests).toHaveLength(0);
    });
  });

  describe('serving', () => {
    it('serves the live content with variables substituted, sending the API key and the variables as ?vars=', async () => {
      const content = await client().serve('support.greeting', { variables: { name: 'Ada & Bob = friends', company: 'Acme' } });
      expect(content).toBe('Hello Ada & Bob = friends, you are talking to Acme support.');
      const [request] = gateway.requests;
      expect(request.method).toBe('GET');
      expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(request.url.searchParams.get('format')).toBe('json');
      expect(request.url.searchParams.getAll('vars')).toEqual(['company=Acme', 'name=Ada & Bob = friends']);
    });

    it('serveJson says which version answered, what stayed unfilled, and that it came from the network', async () => {
      gateway.approve('support.greeting', 'Hi {{name}}, {{company}} v2');
      const served = await client().serveJson('support.greeting', { variables: { name: 'Ada', retries: 3, vip: true } });
      expect(served).toEqual({
        key: 'support.greeting',
        version: 2,
        content: 'Hi Ada, {{company}} v2',
        unfilledVariables: ['company'],
        stale: false,
        source: 'network',
      });
      expect(gateway.requests[0].url.searchParams.getAll('vars')).toEqual(['name=Ada', 'retries=3', 'vip=true']);
    });

    it('sends long variables in a POST body instead of the URL', async () => {
      const pg = client();
      const long = 'x'.repeat(3000);
      expect(await pg.serve('support.greeting', { variables: { name: long, company: 'Acme' } })).toBe(`Hello ${long}, you are talking to Acme support.`);
      expect(await pg.serve('support.greeting', { variables: { name: 'Ada', company: 'Acme' } })).toBe('Hello Ada, you are talking to Acme support.');
      expect(gateway.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
      expect(JSON.parse(gateway.requests[0].body)).toEqual({ variables: { company: 'Acme', name: long } });
      expect(gateway.requests[0].headers['content-type']).toBe('application/json');
      expect(gateway.requests[0].url.searchParams.has('vars')).toBe(false);
    });

    it('serves a pinned version, and keeps serving it from memory past the TTL because it never changes', async () => {
      gateway.approve('support.greeting', 'v2 {{name}}');
      const pg = client({ cacheTtlMs: 20 });
      const first = await pg.serveJson('support.greeting', { version: 1, variables: { name: 'Ada', company: 'Acme' } });
      expect(first).toMatchObject({ version: 1, content: 'Hello Ada, you are talking to Acme support.', source: 'network' });
      expect(gateway.requests[0].url.searchParams.get('version')).toBe('1');
      await sleep(60);
      const again = await pg.serveJson('support.greeting', { version: 1, variables: { name: 'Ada', company: 'Acme' } });
      expect(again).toMatchObject({ version: 1, source: 'cache', stale: false });
      expect(gateway.requests).toHaveLength(1);
    });

    it('reports a gateway answering from its own stale cache (x-prompt-stale) as stale', async () => {
      gateway.staleAtGateway = true;
      expect(await client().serveJson('support.greeting')).toMatchObject({ source: 'network', stale: true });
    });
  });

  describe('cache', () => {
    it('asks the gateway once for repeated calls within the TTL', async () => {
      const pg = client({ cacheTtlMs: 60_000 });
      const first = await pg.serveJson('support.greeting', { variables: { name: 'Ada' } });
      gateway.approve('support.greeting', 'a new version the cache must not show yet');
      const later = await Promise.all([1, 2, 3, 4].map(() => pg.serveJson('support.greeting', { variables: { name: 'Ada' } })));
      expect(gateway.requests).toHaveLength(1);
      for (const served of later) expect(served).toEqual({ ...first, source: 'cache' });
    });

    it('keys the cache by variables, whatever their order, and by version pin', async () => {
      const pg = client({ cacheTtlMs: 60_000 });
      const ada = await pg.serve('support.greeting', { variables: { name: 'Ada', company: 'Acme' } });
      const sameInOtherOrder = await pg.serve('support.greeting', { variables: { company: 'Acme', name: 'Ada' } });
      const bob = await pg.serve('support.greeting', { variables: { name: 'Bob', company: 'Acme' } });
      await pg.serve('support.greeting', { variables: { name: 'Bob', company: 'Acme' }, version: 1 });
      expect(sameInOtherOrder).toBe(ada);
      expect(bob).toBe('Hello Bob, you are talking to Acme support.');
      expect(gateway.requests).toHaveLength(3);
    });

    it('after the TTL, answers at once with the cached value and revalidates in the background', async () => {
      const pg = client({ cacheTtlMs: 30 });
      await pg.serve('support.greeting', { variables: { name: 'Ada' } });
      gateway.approve('support.greeting', 'Version two for {{name}}');
      let release!: () => void;
      gateway.gate = new Promise((resolve) => (release = resolve));
      await sleep(50);
      const expired = await pg.serveJson('support.greeting', { variables: { name: 'Ada' } });
      expect(expired).toMatchObject({ version: 1, source: 'stale', stale: true });
      // Answered while the gateway holds the revalidation; that same request (not a retry after a timeout) brings version 2.
      await until(() => gateway.requests.length === 2);
      expect(gateway.requests[1].reply).toBeUndefined();
      gateway.gate = null;
      release();
      await until(async () => (await pg.serveJson('support.greeting', { variables: { name: 'Ada' } })).version === 2);
      expect(await pg.serveJson('support.greeting', { variables: { name: 'Ada' } })).toMatchObject({
        version: 2,
        content: 'Version two for Ada',
        source: 'cache',
        stale: false,
      });
      expect(gateway.requests).toHaveLength(2);
      expect(gateway.requests[1].headers['if-none-match']).toBe(gateway.requests[0].reply?.headers.etag);
    });

    it('revalidates with If-None-Match, and a 304 makes the cached value fresh again', async () => {
      const pg = client({ cacheTtlMs: 40 });
      await pg.serve('support.greeting');
      await sleep(60);
      expect((await pg.serveJson('support.greeting')).source).toBe('stale');
      await until(async () => (await pg.serveJson('support.greeting')).source === 'cache');
      expect(gateway.requests).toHaveLength(2);
      expect(gateway.requests[1].headers['if-none-match']).toBe(gateway.requests[0].reply?.headers.etag);
      expect(gateway.requests[1].reply?.status).toBe(304);
      expect(await pg.serveJson('support.greeting')).toMatchObject({ version: 1, content: 'Hello {{name}}, you are talking to {{company}} support.' });
    });

    it('shares one request among 20 concurrent calls for the same prompt', async () => {
      gateway.answerDelayMs = 50;
      const pg = client();
      const served = await Promise.all(Array.from({ length: 20 }, () => pg.serveJson('support.greeting', { variables: { name: 'Ada' } })));
      expect(gateway.requests).toHaveLength(1);
      expect(new Set(served.map((s) => s.content))).toEqual(new Set(['Hello Ada, you are talking to {{company}} support.']));
      expect(served.every((s) => s.source === 'network')).toBe(true);
    });

    it('shares one background revalidation among concurrent calls past the TTL', async () => {
      const pg = client({ cacheTtlMs: 20 });
      await pg.serve('support.greeting');
      gateway.answerDelayMs = 100;
      await sleep(40);
      const served = await Promise.all(Array.from({ length: 20 }, () => pg.serveJson('support.greeting')));
      expect(served.every((s) => s.source === 'stale')).toBe(true);
      await sleep(150);
      expect(gateway.requests).toHaveLength(2);
    });

    it('forgets the least recently used prompt past maxCacheEntries', async () => {
      gateway.approve('a', 'A');
      gateway.approve('b', 'B');
      gateway.approve('c', 'C');
      const pg = client({ maxCacheEntries: 2 });
      await pg.serve('a');
      await pg.serve('b');
      await pg.serve('a');
      await pg.serve('c');
      expect(gateway.requests).toHaveLength(3);
      await pg.serve('a');
      expect(gateway.requests).toHaveLength(3);
      await pg.serve('b');
      expect(gateway.requests.map((r) => r.url.pathname)).toEqual(['/v1/serve/a', '/v1/serve/b', '/v1/serve/c', '/v1/serve/b']);
    });
  });

  describe('when the gateway fails', () => {
    it('keeps serving the last good value, marked stale, once the gateway is gone, and reports the failure', async () => {
      const attempts: string[] = [];
      const pg = client({ cacheTtlMs: 30, fetch: (url, init) => (attempts.push(url), fetch(url, init)) });
      const good = await pg.serveJson('support.greeting', { variables: { name: 'Ada' } });
      await gateway.close();
      await sleep(50);
      const served = await pg.serveJson('support.greeting', { variables: { name: 'Ada' } });
      expect(served).toEqual({ ...good, source: 'stale', stale: true });
      await until(() => errors.length === 1);
      expect(errors[0]).toBeInstanceOf(PromptgateUnavailableError);
      expect(errors[0]).toMatchObject({ status: null, code: 'network_error' });
      expect(attempts).toHaveLength(2);
      // The failed revalidation pauses the next one (min(TTL, 1 s)), so a burst of calls makes no new attempt.
      await Promise.all(Array.from({ length: 10 }, () => pg.serve('support.greeting', { variables: { name: 'Ada' } })));
      expect(attempts).toHaveLength(2);
      await sleep(50);
      expect(await pg.serve('support.greeting', { variables: { name: 'Ada' } })).toBe(good.content);
      await until(() => errors.length === 2);
      expect(attempts).toHaveLength(3);
    });

    it('picks up the live version again once the gateway answers', async () => {
      const pg = client({ cacheTtlMs: 20 });
      await pg.serve('support.greeting');
      gateway.override = () => errorReply(503, 'unavailable');
      await sleep(40);
      expect(await pg.serveJson('support.greeting')).toMatchObject({ version: 1, source: 'stale' });
      await until(() => errors.length === 1);
      expect(errors[0]).toMatchObject({ status: 503, code: 'unavailable' });
      expect(errors[0]).toBeInstanceOf(PromptgateUnavailableError);
      gateway.override = null;
      gateway.approve('support.greeting', 'back with v2');
      await until(async () => (await pg.serve('support.greeting')) === 'back with v2');
    });

    it('treats a 200 that is not a prompt (a proxy page) as an outage: the last good value is served', async () => {
      const pg = client({ cacheTtlMs: 20 });
      const good = await pg.serve('support.greeting');
      gateway.override = () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html>maintenance</html>' });
      await sleep(40);
      expect(await pg.serve('support.greeting')).toBe(good);
      await until(() => errors.length === 1);
      expect(errors[0]).toBeInstanceOf(PromptgateUnavailableError);
      expect(errors[0].code).toBe('malformed_answer');
    });

    it('returns the fallback, with the variables substituted, only when nothing was ever fetched', async () => {
      await gateway.close();
      const pg = client();
      const served = await pg.serveJson('support.greeting', {
        variables: { name: 'Ada' },
        fallback: 'Hello {{name}}, this is {{company}} support.',
      });
      expect(served).toEqual({
        key: 'support.greeting',
        version: null,
        content: 'Hello Ada, this is {{company}} support.',
        unfilledVariables: ['company'],
        stale: true,
        source: 'fallback',
      });
      expect(errors).toHaveLength(1);
      await expect(pg.serve('support.greeting', { variables: { name: 'Ada' } })).rejects.toThrow(PromptgateUnavailableError);
    });

    it('prefers the last good value to the fallback', async () => {
      const pg = client({ cacheTtlMs: 20 });
      const good = await pg.serve('support.greeting');
      await gateway.close();
      await sleep(40);
      expect(await pg.serve('support.greeting', { fallback: 'hard-coded' })).toBe(good);
    });

    it('gives up after timeoutMs on a gateway that never answers, then serves the fallback or throws a PromptgateTimeoutError', async () => {
      gateway.override = 'hang';
      const pg = client({ timeoutMs: 100 });
      // The configured bound, not the 2 s default; how long it really took is bench/'s business.
      const timedOut = await pg.serve('support.greeting').catch((err: unknown) => err);
      expect(timedOut).toBeInstanceOf(PromptgateTimeoutError);
      expect((timedOut as Error).message).toContain('within 100 ms');
      expect(await pg.serveJson('support.greeting', { fallback: 'hard-coded' })).toMatchObject({ content: 'hard-coded', source: 'fallback' });
      expect(errors.map((e) => [e.constructor.name, e.code])).toEqual([
        ['PromptgateTimeoutError', 'timeout'],
        ['PromptgateTimeoutError', 'timeout'],
      ]);
      expect(errors[0]).toBeInstanceOf(PromptgateUnavailableError);
    });

    it('reports each failed request once, however many callers shared it', async () => {
      await gateway.close();
      const pg = client();
      await Promise.all(Array.from({ length: 5 }, () => pg.serve('support.greeting', { fallback: 'x' })));
      expect(errors).toHaveLength(1);
    });

    it('keeps serving when the onError callback itself throws', async () => {
      await gateway.close();
      const pg = client({
        onError: () => {
          throw new Error('logger down');
        },
      });
      expect(await pg.serve('support.greeting', { fallback: 'hard-coded' })).toBe('hard-coded');
    });

    it('stops waiting when the caller aborts, while the shared request still fills the cache', async () => {
      gateway.answerDelayMs = 100;
      const pg = client();
      const controller = new AbortController();
      const waiting = pg.serve('support.greeting', { signal: controller.signal });
      setTimeout(() => controller.abort(), 10);
      await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
      await sleep(150);
      expect(await pg.serveJson('support.greeting')).toMatchObject({ source: 'cache' });
      expect(gateway.requests).toHaveLength(1);
    });
  });

  describe('typed errors', () => {
    it('throws PromptgateAuthError for a key the gateway refuses', async () => {
      const pg = new Promptgate({ apiKey: 'pg_test_unknown', baseUrl: gateway.url });
      const error = await pg.serve('support.greeting').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PromptgateAuthError);
      expect(error).toBeInstanceOf(PromptgateError);
      expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    });

    it('throws PromptgateNotFoundError for an unknown prompt and for a version that was never live', async () => {
      const pg = client();
      await expect(pg.serve('no.such.prompt')).rejects.toMatchObject({ status: 404, code: 'prompt_not_found', name: 'PromptgateNotFoundError' });
      await expect(pg.serve('support.greeting', { version: 9 })).rejects.toBeInstanceOf(PromptgateNotFoundError);
      await expect(pg.serve('support.greeting', { version: 9 })).rejects.toMatchObject({ code: 'version_not_found' });
    });

    it('throws PromptgateValidationError for a 400', async () => {
      gateway.override = () => errorReply(400, 'validation_failed');
      await expect(client().serve('support.greeting')).rejects.toMatchObject({ status: 400, code: 'validation_failed', name: 'PromptgateValidationError' });
      await expect(client().serve('support.greeting')).rejects.toBeInstanceOf(PromptgateValidationError);
    });

    it('throws PromptgateRateLimitError with the retry-after, unless a last good value or a fallback can answer', async () => {
      const pg = client({ cacheTtlMs: 20 });
      await pg.serve('support.greeting', { variables: { name: 'Ada' } });
      gateway.override = () => errorReply(429, 'rate_limited', { 'retry-after': '7' });
      const error = await pg.serve('support.greeting', { variables: { name: 'Bob' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PromptgateRateLimitError);
      expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 7 });
      expect(await pg.serve('support.greeting', { variables: { name: 'Bob' }, fallback: 'busy' })).toBe('busy');
      await sleep(40);
      expect(await pg.serveJson('support.greeting', { variables: { name: 'Ada' } })).toMatchObject({ source: 'stale', content: expect.stringContaining('Ada') });
      await until(() => errors.length === 3);
      // retry-after pauses revalidation for 7 s, far past the 20 ms TTL.
      await sleep(40);
      await pg.serve('support.greeting', { variables: { name: 'Ada' } });
      await sleep(50);
      expect(gateway.requests).toHaveLength(4);
    });

    it('serves the fallback for a refused request when one is given, and reports the error', async () => {
      const pg = client({ apiKey: 'pg_test_unknown' });
      expect(await pg.serveJson('support.greeting', { fallback: 'hard-coded' })).toMatchObject({ content: 'hard-coded', source: 'fallback' });
      expect(errors[0]).toBeInstanceOf(PromptgateAuthError);
    });

    it('never serves a cached value again after a 401: a revoked key drops the whole cache', async () => {
      gateway.approve('support.farewell', 'Bye');
      const pg = client({ cacheTtlMs: 20 });
      await pg.serve('support.greeting');
      await pg.serve('support.farewell');
      gateway.override = () => errorReply(401, 'invalid_api_key');
      await sleep(40);
      await pg.serve('support.greeting');
      await until(() => errors.length === 1);
      await expect(pg.serve('support.greeting')).rejects.toThrow(PromptgateAuthError);
      await expect(pg.serve('support.farewell')).rejects.toThrow(PromptgateAuthError);
    });

    it('never serves a cached value again after a 404: a removed prompt is dropped', async () => {
      const pg = client({ cacheTtlMs: 20 });
      await pg.serve('support.greeting');
      gateway.prompts.delete('support.greeting');
      await sleep(40);
      await pg.serve('support.greeting');
      await until(() => errors.length === 1);
      await expect(pg.serve('support.greeting')).rejects.toThrow(PromptgateNotFoundError);
      expect(await pg.serveJson('support.greeting', { fallback: 'hard-coded' })).toMatchObject({ source: 'fallback' });
    });
  });
});
