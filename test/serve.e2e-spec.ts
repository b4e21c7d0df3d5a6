import request from 'supertest';
import { api, livePrompt, makeTeam, propose, shipVersion, submit, createPrompt, type Team } from '../apps/registry/test/support/review-flow.js';
import { bootStack, issueApiKey, revokeApiKey, type IssuedApiKey, type RunningGateway, type Stack } from './support/stack.js';

/** GET or POST against a gateway with an API key; the answer with its body read. */
async function serve(base: string, key: string | null, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...init.headers },
    body: init.body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Polls until `check` holds, for a generous while (a loaded machine is slow, not wrong): whether it ever held. How fast is bench/'s business. */
async function eventually(check: () => Promise<boolean>, withinMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** Until this gateway has sent every admission of the key to Redis and heard back: what it spent is then the shared count. */
async function rateLimitSynced(gateway: RunningGateway, apiKeyId: string, rpm: number): Promise<boolean> {
  const limiter = gateway.app.runtime.rateLimiter;
  return eventually(async () => {
    await limiter.reconcile();
    const { touched, state } = limiter.limiterFor(apiKeyId, rpm);
    return !touched && state.pending === 0 && state.inFlight === 0;
  });
}

describe('serving prompts through the gateway, with the registry', () => {
  let stack: Stack;
  let t: Team;
  let key: IssuedApiKey;
  let gw: string;

  beforeAll(async () => {
    stack = await bootStack({ gateways: 2 });
    t = await makeTeam(stack.registry.http);
    key = await issueApiKey(stack, t.admin, t.env.development, 1_000_000);
    gw = stack.gateways[0].url;
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A third gateway whose whole cache is 1 MiB: an entry over 64 KiB (1/16) is not kept. */
  const gatewayWith1Mb = () => stack.startGateway({ GATEWAY_CACHE_MB: '1' });

  it('serves a prompt once approved: the text, its version, MISS then HIT, and the JSON form', async () => {
    const { promptId, versionId } = await createPrompt(stack.registry.http, t.editor, t.env.development, 'greet.basic', 'Hello, world.');
    expect((await serve(gw, key.key, '/v1/serve/greet.basic')).status).toBe(404);
    await submit(stack.registry.http, t.editor, versionId);
    await request(stack.registry.http).post(api(`/versions/${versionId}/approve`)).set(t.reviewer.auth).send({}).expect(200);

    const first = await serve(gw, key.key, '/v1/serve/greet.basic');
    expect(first.status).toBe(200);
    expect(first.text).toBe('Hello, world.');
    expect(first.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(first.headers.get('x-prompt-version')).toBe('1');
    expect(first.headers.get('x-prompt-cache')).toBe('MISS');
    expect(first.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('x-prompt-stale')).toBeNull();
    const second = await serve(gw, key.key, '/v1/serve/greet.basic');
    expect(second.headers.get('x-prompt-cache')).toBe('HIT');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));

    const json = await serve(gw, key.key, '/v1/serve/greet.basic?format=json');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(json.text)).toEqual({
      key: 'greet.basic', type: 'text', version: 1, content: 'Hello, world.', messages: null, config: {}, unfilled_variables: [], unfilled_placeholders: [],
    });
    expect(json.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(promptId).toBeDefined();
  });

  it('serves a prompt too large for its share of GATEWAY_CACHE_MB without keeping it, and keeps the small ones', async () => {
    const small = await gatewayWith1Mb();
    const big = 'B'.repeat(12_000);
    for (const [name, content] of [['cache.big', big], ['cache.small', 'small']] as const) {
      const { versionId } = await createPrompt(stack.registry.http, t.editor, t.env.development, name, content);
      await submit(stack.registry.http, t.editor, versionId);
      await request(stack.registry.http).post(api(`/versions/${versionId}/approve`)).set(t.reviewer.auth).send({}).expect(200);
    }
    for (let i = 0; i < 2; i++) {
      const res = await serve(small.url, key.key, '/v1/serve/cache.big');
      expect([res.status, res.text === big, res.headers.get('x-prompt-cache')]).toEqual([200, true, 'MISS']);
    }
    await serve(small.url, key.key, '/v1/serve/cache.small');
    expect((await serve(small.url, key.key, '/v1/serve/cache.small')).headers.get('x-prompt-cache')).toBe('HIT');
    expect(small.app.runtime.cache.bytes).toBeLessThanOrEqual(1024 * 1024);
  });

  it('refuses a missing, malformed, unknown or mistyped API key with 401 invalid_api_key', async () => {
    const unknown = `${key.key.slice(0, 8)}${'A'.repeat(32)}`;
    for (const [authorization, why] of [
      [null, 'missing'], ['Bearer nonsense', 'malformed'], [`Basic ${key.key}`, 'wrong scheme'],
      [`Bearer ${key.key.slice(0, -1)}x`, 'bad checksum'], [`Bearer ${unknown}`, 'unknown'],
    ] as const) {
      const res = await serve(gw, null, '/v1/serve/greet.basic', { headers: authorization === null ? {} : { authorization } });
      expect([why, res.status]).toEqual([why, 401]);
      expect(JSON.parse(res.text)).toEqual({ error: { code: 'invalid_api_key', message: expect.any(String) } });
    }
  });

  it('answers 404 prompt_not_found for a key with no live version, and for a prompt of another environment', async () => {
    await createPrompt(stack.registry.http, t.editor, t.env.development, 'draft.only', 'Not yet.');
    await livePrompt(stack.registry.http, t, 'staging', 'staging.only', 'Elsewhere.');
    for (const path of ['/v1/serve/draft.only', '/v1/serve/staging.only', '/v1/serve/no.such.prompt', '/v1/serve/Bad%20Key']) {
      const res = await serve(gw, key.key, path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(JSON.parse(res.text).error.code).toBe('prompt_not_found');
    }
  });

  it('substitutes variables once, lists the unfilled ones, ignores bad vars items, and never scans a value again', async () => {
    await livePrompt(stack.registry.http, t, 'development', 'vars.demo', 'Hi {{name}}, you are {{role}}. {{name}}!');
    const text = await serve(gw, key.key, '/v1/serve/vars.demo?vars=name=Ana&vars=role={{name}}&vars=novalue&vars=bad-name=x');
    expect(text.text).toBe('Hi Ana, you are {{name}}. Ana!');
    const json = await serve(gw, key.key, `/v1/serve/vars.demo?format=json&vars=${encodeURIComponent('name=a=b')}`);
    expect(JSON.parse(json.text)).toEqual({
      key: 'vars.demo', type: 'text', version: 1, content: 'Hi a=b, you are {{role}}. a=b!', messages: null, config: {},
      unfilled_variables: ['role'], unfilled_placeholders: [],
    });
    const none = await serve(gw, key.key, '/v1/serve/vars.demo?format=json');
    expect(JSON.parse(none.text).unfilled_variables).toEqual(['name', 'role']);
    const empty = await serve(gw, key.key, '/v1/serve/vars.demo?vars=name=&vars=role=x');
    expect(empty.text).toBe('Hi , you are x. !');
  });

  it('takes variables in a POST body, and refuses what is not a JSON object of strings', async () => {
    const post = (body: string, contentType = 'application/json') =>
      serve(gw, key.key, '/v1/serve/vars.demo', { method: 'POST', headers: { 'content-type': contentType }, body });
    const ok = await post(JSON.stringify({ variables: { name: 'Long '.repeat(1000), role: '{{name}}', 'bad-name': 'x' } }));
    expect(ok.status).toBe(200);
    const answer = JSON.parse(ok.text);
    expect(answer).toMatchObject({ key: 'vars.demo', version: 1, unfilled_variables: [] });
    expect(answer.content).toBe(`Hi ${'Long '.repeat(1000)}, you are {{name}}. ${'Long '.repeat(1000)}!`);
    expect(JSON.parse((await post(JSON.stringify({ variables: { name: 'A' } }))).text).unfilled_variables).toEqual(['role']);

    for (const [body, status, code] of [
      [JSON.stringify({ variables: { name: 3 } }), 400, 'validation_failed'],
      [JSON.stringify({ variables: ['a'] }), 400, 'validation_failed'],
      [JSON.stringify({ variables: {}, extra: 1 }), 400, 'validation_failed'],
      ['{not json', 400, 'validation_failed'],
      [JSON.stringify({ variables: { name: 'x'.repeat(1024 * 1024) } }), 413, 'payload_too_large'],
    ] as const) {
      const res = await post(body);
      expect([body.slice(0, 40), res.status, JSON.parse(res.text).error.code]).toEqual([body.slice(0, 40), status, code]);
    }
    const notJson = await post('name=x', 'text/plain');
    expect([notJson.status, JSON.parse(notJson.text).error.code]).toEqual([415, 'unsupported_media_type']);
    const form = await post('name=x', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
  });

  it('answers 304 to a matching If-None-Match, with the etag and version and no body; other bodies get other tags', async () => {
    const first = await serve(gw, key.key, '/v1/serve/vars.demo?vars=name=Ana');
    const etag = first.headers.get('etag')!;
    const again = await serve(gw, key.key, '/v1/serve/vars.demo?vars=name=Ana', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('x-prompt-version')).toBe('1');
    const listed = await serve(gw, key.key, '/v1/serve/vars.demo?vars=name=Ana', { headers: { 'if-none-match': `"other", W/${etag}` } });
    expect(listed.status).toBe(304);
    const other = await serve(gw, key.key, '/v1/serve/vars.demo?vars=name=Bob', { headers: { 'if-none-match': etag } });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
    const plain = await serve(gw, key.key, '/v1/serve/greet.basic');
    expect((await serve(gw, key.key, '/v1/serve/greet.basic', { headers: { 'if-none-match': plain.headers.get('etag')! } })).status).toBe(304);
  });

  it('serves a pinned version that was ever live, refuses one that never was, and checks the number', async () => {
    const { promptId } = await livePrompt(stack.registry.http, t, 'development', 'pinned.demo', 'One {{x}}');
    await shipVersion(stack.registry.http, t, promptId, 'Two {{x}}');
    await propose(stack.registry.http, t.editor, promptId, 'Three, a draft');

    const one = await serve(gw, key.key, '/v1/serve/pinned.demo?version=1&vars=x=1&format=json');
    expect(one.status).toBe(200);
    expect(one.headers.get('x-prompt-version')).toBe('1');
    expect(one.headers.get('cache-control')).toContain('immutable');
    expect(JSON.parse(one.text)).toEqual({
      key: 'pinned.demo', type: 'text', version: 1, content: 'One 1', messages: null, config: {}, unfilled_variables: [], unfilled_placeholders: [],
    });
    expect((await serve(gw, key.key, '/v1/serve/pinned.demo?version=1')).headers.get('x-prompt-cache')).toBe('HIT');
    expect((await serve(gw, key.key, '/v1/serve/pinned.demo')).text).toBe('Two {{x}}');
    expect((await serve(gw, key.key, '/v1/serve/pinned.demo?version=2')).text).toBe('Two {{x}}');

    // A positive integer past PostgreSQL's integer range is a version number that no version has.
    for (const path of ['/v1/serve/pinned.demo?version=3', '/v1/serve/pinned.demo?version=99', '/v1/serve/no.such?version=1', '/v1/serve/pinned.demo?version=99999999999']) {
      const res = await serve(gw, key.key, path);
      expect([path, res.status, JSON.parse(res.text).error.code]).toEqual([path, 404, 'version_not_found']);
    }
    for (const v of ['0', '-1', '1.5', 'abc', '', '01']) {
      const res = await serve(gw, key.key, `/v1/serve/pinned.demo?version=${v}`);
      expect([v, res.status, JSON.parse(res.text).error.code]).toEqual([v, 400, 'validation_failed']);
    }
  });

  it('serves an approval and a rollback from both gateways', async () => {
    const { promptId } = await livePrompt(stack.registry.http, t, 'development', 'swap.demo', 'Version one');
    for (const g of stack.gateways) expect((await serve(g.url, key.key, '/v1/serve/swap.demo')).text).toBe('Version one');

    const servedEverywhere = (expected: string) => async () => {
      const answers = await Promise.all(stack.gateways.map((g) => serve(g.url, key.key, '/v1/serve/swap.demo')));
      return answers.every((a) => a.text === expected);
    };
    await shipVersion(stack.registry.http, t, promptId, 'Version two');
    expect(await eventually(servedEverywhere('Version two'))).toBe(true);

    await request(stack.registry.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: 1 }).expect(201);
    expect(await eventually(servedEverywhere('Version one'))).toBe(true);
    expect((await serve(gw, key.key, '/v1/serve/swap.demo')).headers.get('x-prompt-version')).toBe('3');
  });

  it('refuses a revoked key on both gateways', async () => {
    const doomed = await issueApiKey(stack, t.admin, t.env.development);
    for (const g of stack.gateways) expect((await serve(g.url, doomed.key, '/v1/serve/greet.basic')).status).toBe(200);
    await revokeApiKey(stack, t.admin, doomed.id);
    const refused = await eventually(async () => {
      const answers = await Promise.all(stack.gateways.map((g) => serve(g.url, doomed.key, '/v1/serve/greet.basic')));
      return answers.every((a) => a.status === 401);
    });
    expect(refused).toBe(true);
  });

  it('limits a key to its rate with 429 and retry-after, lets it through again, and shares the count between gateways', async () => {
    const limited = await issueApiKey(stack, t.admin, t.env.development, 60);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await serve(gw, limited.key, '/v1/serve/greet.basic')).status);
    expect(statuses).toEqual(Array(60).fill(200));
    const refused = await serve(gw, limited.key, '/v1/serve/greet.basic');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(refused.text).error.code).toBe('rate_limited');
    // rpm 60 is one request a second once the burst is spent.
    const recovered = await eventually(async () => (await serve(gw, limited.key, '/v1/serve/greet.basic')).status === 200);
    expect(recovered).toBe(true);
    const spentAt = Date.now();
    expect((await serve(gw, limited.key, '/v1/serve/greet.basic')).status).toBe(429);
    // Not a race with the sync timer: everything the first gateway admitted has reached Redis.
    expect(await rateLimitSynced(stack.gateways[0], limited.id, 60)).toBe(true);
    // The other gateway has never seen this key: it learns the shared count, and does not grant a fresh burst.
    const other = stack.gateways[1].url;
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await serve(other, limited.key, '/v1/serve/greet.basic')).status);
    // One request a second comes back to the key meanwhile, however slow the machine was: a fresh burst would admit all five.
    const refilled = Math.floor((Date.now() - spentAt) / 1000);
    expect(answers.filter((s) => s === 200).length).toBeLessThanOrEqual(1 + refilled);
    expect(answers.at(-1)).toBe(429);
  });
});
