import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Promptgate, PromptgateConfigError, PromptgateError, PromptgateNotFoundError, PromptgateTypeError, PromptgateUnavailableError,
  type ChatPrompt, type PromptMessage, type TextPrompt,
} from './index.js';

const API_KEY = 'pg_test_getprompt';

interface Stored {
  type: 'text' | 'chat';
  content?: string;
  messages?: PromptMessage[];
  config: Record<string, unknown>;
}

/**
 * A gateway on 127.0.0.1 answering API.md's JSON form of a served prompt: `{key, type, version,
 * content, messages, config, unfilled_variables, unfilled_placeholders}`, with an etag and 304.
 * It answers the prompt as stored (getPrompt sends no variables; the SDK compiles locally).
 */
class ChatGateway {
  readonly requests: string[] = [];
  readonly prompts = new Map<string, Stored[]>();
  down = false;
  url = '';
  private readonly server = createServer((req, res) => {
    this.requests.push(`${req.method} ${req.url}`);
    if (this.down) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'service_unavailable', message: 'down' } }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const key = decodeURIComponent(url.pathname.replace(/^\/v1\/serve\//, ''));
    const versions = this.prompts.get(key);
    if (!versions) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'prompt_not_found', message: 'no' } }));
      return;
    }
    const num = url.searchParams.has('version') ? Number(url.searchParams.get('version')) : versions.length;
    const v = versions[num - 1];
    const etag = `"${key}-${num}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    const unfilled = [...new Set([...(v.content ?? JSON.stringify(v.messages)).matchAll(/\{\{([A-Za-z0-9_]+)\}\}/g)].map((m) => m[1]))];
    const body = {
      key, type: v.type, version: num, content: v.content ?? null, messages: v.messages ?? null, config: v.config,
      unfilled_variables: unfilled, unfilled_placeholders: (v.messages ?? []).flatMap((m) => (m.role === 'placeholder' ? [m.name] : [])),
    };
    res.writeHead(200, { 'content-type': 'application/json', etag, 'x-prompt-version': String(num), 'x-prompt-type': v.type }).end(JSON.stringify(body));
  });

  static async start(): Promise<ChatGateway> {
    const g = new ChatGateway();
    g.server.listen(0, '127.0.0.1');
    await once(g.server, 'listening');
    g.url = `http://127.0.0.1:${(g.server.address() as AddressInfo).port}`;
    return g;
  }

  async close(): Promise<void> {
    this.server.close();
    this.server.closeAllConnections();
    await once(this.server, 'close');
  }
}

const CHAT: PromptMessage[] = [
  { role: 'system', content: 'You are a support agent for {{company}}. Answer in {{language}}.' },
  { role: 'placeholder', name: 'history' },
  { role: 'user', content: '{{question}}' },
];

describe('getPrompt', () => {
  let gateway: ChatGateway;
  let server: Server | undefined;
  beforeEach(async () => {
    gateway = await ChatGateway.start();
    gateway.prompts.set('support.reply', [{ type: 'chat', messages: CHAT, config: { model: 'gpt-4o-mini', temperature: 0.2 } }]);
    gateway.prompts.set('support.greeting', [{ type: 'text', content: 'Hello {{name}}!', config: {} }]);
    server = undefined;
  });
  afterEach(async () => {
    await gateway.close();
    server?.close();
  });
  const client = (options: { cacheTtlMs?: number } = {}) => new Promptgate({ apiKey: API_KEY, baseUrl: gateway.url, ...options });

  it('gets a chat prompt with its messages and config, and compiles it locally with variables and placeholders', async () => {
    const pg = client();
    const prompt = await pg.getPrompt('support.reply');
    expect(prompt).toMatchObject({ key: 'support.reply', type: 'chat', version: 1, content: null, messages: CHAT, config: { model: 'gpt-4o-mini', temperature: 0.2 }, source: 'network', stale: false });
    const chat = prompt as ChatPrompt;
    expect(chat.variables).toEqual(['company', 'language', 'question']);
    expect(chat.placeholders).toEqual(['history']);
    const history = [{ role: 'user' as const, content: 'My order {{id}} is late' }, { role: 'assistant' as const, content: 'Sorry to hear it.' }];
    expect(chat.compile({ company: 'Acme', language: 'English', question: 'Where is it?' }, { history })).toEqual([
      { role: 'system', content: 'You are a support agent for Acme. Answer in English.' },
      { role: 'user', content: 'My order {{id}} is late' },
      { role: 'assistant', content: 'Sorry to hear it.' },
      { role: 'user', content: 'Where is it?' },
    ]);
    // An unfilled placeholder and an unfilled variable stay in place, as the gateway leaves them.
    expect(chat.compile({ company: 'Acme' })).toEqual([
      { role: 'system', content: 'You are a support agent for Acme. Answer in {{language}}.' },
      { role: 'placeholder', name: 'history' },
      { role: 'user', content: '{{question}}' },
    ]);
    // One fetch serves every compile and every later getPrompt within the TTL.
    expect((await pg.getPrompt('support.reply')).source).toBe('cache');
    expect(gateway.requests).toEqual(['GET /v1/serve/support.reply?format=json']);
  });

  it('gets a text prompt whose compile substitutes as serve does', async () => {
    const pg = client();
    const prompt = (await pg.getPrompt('support.greeting')) as TextPrompt;
    expect(prompt).toMatchObject({ type: 'text', content: 'Hello {{name}}!', messages: null, config: {}, variables: ['name'] });
    expect(prompt.compile({ name: 'Ada & {{x}}' })).toBe('Hello Ada & {{x}}!');
    expect(prompt.compile()).toBe('Hello {{name}}!');
    expect(await pg.serve('support.greeting')).toBe('Hello {{name}}!');
  });

  it('hands out copies: changing what it returned does not change the cache', async () => {
    const pg = client();
    const first = (await pg.getPrompt('support.reply')) as ChatPrompt;
    first.messages[0] = { role: 'user', content: 'tampered' };
    first.config.temperature = 2;
    const second = (await pg.getPrompt('support.reply')) as ChatPrompt;
    expect(second.messages).toEqual(CHAT);
    expect(second.config.temperature).toBe(0.2);
    expect(first.compile({ company: 'A' })[0]).toEqual({ role: 'system', content: 'You are a support agent for A. Answer in {{language}}.' });
  });

  it('refuses serve of a chat prompt with PromptgateTypeError, never masked by a fallback', async () => {
    const pg = client();
    await expect(pg.serve('support.reply', { fallback: 'x' })).rejects.toThrow(PromptgateTypeError);
    await pg.getPrompt('support.reply');
    await expect(pg.serve('support.reply')).rejects.toThrow(/chat prompt/);
  });

  it('falls back to a string or a message list only when nothing was ever fetched, and serves the last good copy after', async () => {
    gateway.down = true;
    const pg = client({ cacheTtlMs: 0 });
    const text = await pg.getPrompt('support.greeting', { fallback: 'Hi {{name}}.' });
    expect(text).toMatchObject({ type: 'text', version: null, source: 'fallback', stale: true });
    expect((text as TextPrompt).compile({ name: 'Ada' })).toBe('Hi Ada.');
    const chat = await pg.getPrompt('support.reply', { fallback: [{ role: 'system', content: 'Be brief, {{name}}.' }, { role: 'placeholder', name: 'history' }] });
    expect(chat).toMatchObject({ type: 'chat', version: null, source: 'fallback', config: {} });
    expect((chat as ChatPrompt).compile({ name: 'Ada' }, { history: [] })).toEqual([{ role: 'system', content: 'Be brief, Ada.' }]);
    await expect(pg.getPrompt('support.reply')).rejects.toThrow(PromptgateUnavailableError);

    gateway.down = false;
    expect((await pg.getPrompt('support.reply')).version).toBe(1);
    gateway.down = true;
    const stale = await pg.getPrompt('support.reply', { fallback: [{ role: 'user', content: 'never used' }] });
    expect(stale).toMatchObject({ version: 1, source: 'stale', stale: true, messages: CHAT });
  });

  it('caches a pinned version apart from the live one and raises not found for an unknown key', async () => {
    gateway.prompts.get('support.reply')!.push({ type: 'chat', messages: [{ role: 'system', content: 'v2' }], config: { temperature: 0.9 } });
    const pg = client();
    expect((await pg.getPrompt('support.reply')).config).toEqual({ temperature: 0.9 });
    expect((await pg.getPrompt('support.reply', { version: 1 })).config).toEqual({ model: 'gpt-4o-mini', temperature: 0.2 });
    await expect(pg.getPrompt('nope')).rejects.toThrow(PromptgateNotFoundError);
  });

  it.each([
    ['a number', 5],
    ['an empty list', []],
    ['a message with an unknown role', [{ role: 'tool', content: 'x' }]],
    ['a message with an extra field', [{ role: 'user', content: 'x', name: 'n' }]],
  ])('refuses a fallback that is %s without a request', async (_what, fallback) => {
    await expect(client().getPrompt('support.reply', { fallback: fallback as never })).rejects.toThrow(PromptgateConfigError);
    expect(gateway.requests).toHaveLength(0);
  });

  it('refuses placeholders that are not lists of {role, content} messages', async () => {
    const chat = (await client().getPrompt('support.reply')) as ChatPrompt;
    expect(() => chat.compile({}, { history: [{ role: 'placeholder', name: 'x' }] as never })).toThrow(PromptgateConfigError);
    expect(() => chat.compile({}, { history: 'hi' as never })).toThrow(PromptgateConfigError);
    expect(() => chat.compile({ 'bad-name': 'x' })).toThrow(PromptgateConfigError);
  });

  it('treats an answer that is not a prompt as an outage', async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ key: 'k', type: 'chat', version: 1, content: null, messages: [{ role: 'wizard', content: 'x' }], config: {}, unfilled_variables: [] })));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const pg = new Promptgate({ apiKey: API_KEY, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const failure = await pg.getPrompt('k').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PromptgateError);
    expect((failure as PromptgateError).code).toBe('malformed_answer');
  });
});
