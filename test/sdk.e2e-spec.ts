import type { Server } from 'node:http';
import {
  Promptgate,
  PromptgateAuthError,
  PromptgateNotFoundError,
  PromptgateRateLimitError,
  PromptgateUnavailableError,
  type FetchFunction,
  type PromptgateError,
  type PromptgateOptions,
} from '../libs/sdk/src/index.js';
import { livePrompt, makeTeam, shipVersion, type Team } from '../apps/registry/test/support/review-flow.js';
import { bootStack, issueApiKey, revokeApiKey, type RunningGateway, type Stack } from './support/stack.js';

interface Exchange {
  method: string;
  url: string;
  ifNoneMatch: string | null;
  status?: number;
  etag?: string | null;
}

/** The global fetch, recording every request the SDK sends and the gateway's answer to it. */
function recordingFetch(): { fetch: FetchFunction; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const recording: FetchFunction = async (url, init) => {
    const exchange: Exchange = { method: init.method ?? 'GET', url, ifNoneMatch: new Headers(init.headers).get('if-none-match') };
    exchanges.push(exchange);
    const response = await fetch(url, init);
    exchange.status = response.status;
    exchange.etag = response.headers.get('etag');
    return response;
  };
  return { fetch: recording, exchanges };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, withinMs = 5000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`);
    await sleep(20);
  }
}

describe('@promptgate/sdk against a real registry and gateway', () => {
  let stack: Stack;
  let http: Server;
  let team: Team;
  let gateway: RunningGateway;
  let apiKey: string;

  beforeAll(async () => {
    stack = await bootStack();
    http = stack.registry.http;
    gateway = stack.gateways[0];
    team = await makeTeam(http);
    apiKey = (await issueApiKey(stack, team.admin, team.env.production, 10_000)).key;
  });
  afterAll(() => stack?.close());

  function sdk(options: Partial<PromptgateOptions> = {}): Promptgate {
    return new Promptgate({ apiKey, baseUrl: gateway.url, ...options });
  }

  /** What the gateway itself serves right now, bypassing any SDK cache. */
  async function servedByGateway(key: string): Promise<string> {
    const res = await fetch(`${gateway.url}/v1/serve/${key}`, { headers: { authorization: `Bearer ${apiKey}` } });
    return res.text();
  }

  it('serves a live prompt with its variables, as text and as JSON, by GET and, for long values, by POST', async () => {
    await livePrompt(http, team, 'production', 'support.greeting', 'Hello {{name}}, this is {{company}} support.');
    const { fetch: recording, exchanges } = recordingFetch();
    const pg = sdk({ fetch: recording });

    expect(await pg.serve('support.greeting', { variables: { name: 'Ada', company: 'Acme' } })).toBe('Hello Ada, this is Acme support.');
    expect(await pg.serveJson('support.greeting', { variables: { name: 'Ada' } })).toEqual({
      key: 'support.greeting',
      version: 1,
      content: 'Hello Ada, this is {{company}} support.',
      unfilledVariables: ['company'],
      stale: false,
      source: 'network',
    });
    const long = 'é & = ?'.repeat(500);
    expect(await pg.serve('support.greeting', { variables: { name: long, company: 'Acme' } })).toBe(`Hello ${long}, this is Acme support.`);
    expect(exchanges.map((e) => [e.method, e.status])).toEqual([
      ['GET', 200],
      ['GET', 200],
      ['POST', 200],
    ]);
  });

  it('serves a pinned version, and answers refusals with typed errors', async () => {
    const { promptId } = await livePrompt(http, team, 'production', 'support.pinned', 'Version one for {{name}}');
    await shipVersion(http, team, promptId, 'Version two for {{name}}');
    const pg = sdk({ cacheTtlMs: 1 });

    expect(await pg.serveJson('support.pinned', { version: 1, variables: { name: 'Ada' } })).toMatchObject({ version: 1, content: 'Version one for Ada' });
    await sleep(20);
    expect(await pg.serveJson('support.pinned', { version: 1, variables: { name: 'Ada' } })).toMatchObject({ version: 1, source: 'cache', stale: false });
    await expect(pg.serve('support.pinned', { version: 9 })).rejects.toMatchObject({ name: 'PromptgateNotFoundError', status: 404, code: 'version_not_found' });
    await expect(pg.serve('no.such.prompt')).rejects.toThrow(PromptgateNotFoundError);
    await expect(pg.serve('no.such.prompt')).rejects.toMatchObject({ code: 'prompt_not_found' });
    await expect(new Promptgate({ apiKey: 'pg_live_notakey', baseUrl: gateway.url }).serve('support.pinned')).rejects.toMatchObject({
      name: 'PromptgateAuthError',
      status: 401,
      code: 'invalid_api_key',
    });
  });

  it('answers from its cache within the TTL: a new approval reaches the gateway but not the cached answer', async () => {
    const { promptId } = await livePrompt(http, team, 'production', 'support.cached', 'Cached v1 for {{name}}');
    const { fetch: recording, exchanges } = recordingFetch();
    const pg = sdk({ cacheTtlMs: 60_000, fetch: recording });

    const first = await pg.serveJson('support.cached', { variables: { name: 'Ada' } });
    expect(first).toMatchObject({ version: 1, source: 'network' });
    await shipVersion(http, team, promptId, 'Cached v2 for {{name}}');
    await until(async () => (await servedByGateway('support.cached')) === 'Cached v2 for {{name}}');

    for (let i = 0; i < 5; i++) expect(await pg.serveJson('support.cached', { variables: { name: 'Ada' } })).toEqual({ ...first, source: 'cache' });
    expect(exchanges).toHaveLength(1);
    expect(await pg.serve('support.cached', { variables: { name: 'Bob' } })).toBe('Cached v2 for Bob');
    expect(exchanges).toHaveLength(2);
  });

  it('revalidates after the TTL with If-None-Match: a 304 keeps the answer fresh, a new approval replaces it', async () => {
    const { promptId } = await livePrompt(http, team, 'production', 'support.revalidated', 'Revalidated v1 for {{name}}');
    const { fetch: recording, exchanges } = recordingFetch();
    const pg = sdk({ cacheTtlMs: 300, fetch: recording });
    const served = () => pg.serveJson('support.revalidated', { variables: { name: 'Ada' } });

    expect(await served()).toMatchObject({ version: 1, source: 'network' });
    await sleep(350);
    expect(await served()).toMatchObject({ version: 1, content: 'Revalidated v1 for Ada', source: 'stale', stale: true });
    await until(() => exchanges[1]?.status !== undefined);
    expect(exchanges[1]).toMatchObject({ ifNoneMatch: exchanges[0].etag, status: 304 });
    expect(exchanges[0].etag).toBeTruthy();
    await until(async () => (await served()).source === 'cache');
    expect(exchanges).toHaveLength(2);

    await shipVersion(http, team, promptId, 'Revalidated v2 for {{name}}');
    await until(async () => (await servedByGateway('support.revalidated')).startsWith('Revalidated v2'));
    await until(async () => (await served()).version === 2);
    expect(await served()).toMatchObject({ version: 2, content: 'Revalidated v2 for Ada', source: 'cache', stale: false });
    expect(exchanges.at(-1)).toMatchObject({ ifNoneMatch: exchanges[0].etag, status: 200 });
  });

  it('shares one gateway request among 20 concurrent calls', async () => {
    await livePrompt(http, team, 'production', 'support.burst', 'Burst for {{name}}');
    const { fetch: recording, exchanges } = recordingFetch();
    const pg = sdk({ fetch: recording });

    const served = await Promise.all(Array.from({ length: 20 }, () => pg.serveJson('support.burst', { variables: { name: 'Ada' } })));
    expect(exchanges).toHaveLength(1);
    expect(served.every((s) => s.content === 'Burst for Ada' && s.source === 'network')).toBe(true);
  });

  it('stops serving cached answers once the API key is revoked', async () => {
    await livePrompt(http, team, 'production', 'support.revoked', 'Soon refused');
    const doomed = await issueApiKey(stack, team.admin, team.env.production);
    const errors: PromptgateError[] = [];
    const pg = new Promptgate({ apiKey: doomed.key, baseUrl: gateway.url, cacheTtlMs: 200, onError: (e) => errors.push(e) });

    expect(await pg.serve('support.revoked')).toBe('Soon refused');
    await revokeApiKey(stack, team.admin, doomed.id);
    await until(async () => (await pg.serve('support.revoked').catch((e: unknown) => e)) instanceof PromptgateAuthError);
    expect(errors[0]).toBeInstanceOf(PromptgateAuthError);
    await expect(pg.serve('support.revoked', { fallback: 'hard-coded' })).resolves.toBe('hard-coded');
  });

  it('answers a rate-limited key from its cache, else with the fallback, else with PromptgateRateLimitError', async () => {
    await livePrompt(http, team, 'production', 'support.limited', 'Limited for {{name}}');
    const limited = await issueApiKey(stack, team.admin, team.env.production, 1);
    const pg = new Promptgate({ apiKey: limited.key, baseUrl: gateway.url, cacheTtlMs: 100 });

    const good = await pg.serveJson('support.limited', { variables: { name: 'Ada' } });
    expect(good.content).toBe('Limited for Ada');
    const refused = await pg.serve('support.limited', { variables: { name: 'Bob' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PromptgateRateLimitError);
    expect((refused as PromptgateRateLimitError).retryAfterSeconds).toBeGreaterThan(0);
    expect(await pg.serveJson('support.limited', { variables: { name: 'Bob' }, fallback: 'busy' })).toMatchObject({ content: 'busy', source: 'fallback' });
    await sleep(150);
    expect(await pg.serveJson('support.limited', { variables: { name: 'Ada' } })).toEqual({ ...good, source: 'stale', stale: true });
  });

  it('keeps serving the last good answer once the gateway is gone, and the fallback only where nothing was fetched', async () => {
    await livePrompt(http, team, 'production', 'support.outage', 'Outage-proof for {{name}}');
    const doomed = await stack.startGateway();
    const errors: PromptgateError[] = [];
    const pg = new Promptgate({ apiKey, baseUrl: doomed.url, cacheTtlMs: 200, timeoutMs: 1000, onError: (e) => errors.push(e) });

    const good = await pg.serveJson('support.outage', { variables: { name: 'Ada' } });
    expect(good).toMatchObject({ version: 1, content: 'Outage-proof for Ada', source: 'network' });
    // Closed here, so the stack must not close it again.
    stack.gateways.splice(stack.gateways.indexOf(doomed), 1);
    await doomed.app.close();
    await sleep(250);

    expect(await pg.serveJson('support.outage', { variables: { name: 'Ada' } })).toEqual({ ...good, source: 'stale', stale: true });
    await until(() => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(PromptgateUnavailableError);
    expect(errors[0]).toMatchObject({ status: null, code: 'network_error' });
    expect(await pg.serve('support.outage', { variables: { name: 'Ada' }, fallback: 'never used' })).toBe('Outage-proof for Ada');

    expect(await pg.serveJson('support.outage', { variables: { name: 'Bob' }, fallback: 'Hard-coded for {{name}}' })).toEqual({
      key: 'support.outage',
      version: null,
      content: 'Hard-coded for Bob',
      unfilledVariables: [],
      stale: true,
      source: 'fallback',
    });
    await expect(pg.serve('support.outage', { variables: { name: 'Bob' } })).rejects.toThrow(PromptgateUnavailableError);
  });
});
