import fc from 'fast-check';
import request from 'supertest';
import { Promptgate, type ChatPrompt, type PromptMessage } from '../libs/sdk/src/index.js';
import { api, approve, createPrompt, makeTeam, submit, type Team } from '../apps/registry/test/support/review-flow.js';
import { bootStack, issueApiKey, type IssuedApiKey, type Stack } from './support/stack.js';

/** API.md, "Prompt types, chat messages and model configuration" and the gateway's "Chat prompts". */

interface ServeAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

async function serve(base: string, apiKey: string, path: string, body?: unknown): Promise<ServeAnswer> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** Polls until `check` holds, for a generous while (a loaded machine is slow, not wrong). */
async function eventually(check: () => Promise<boolean>, withinMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

const SUPPORT: PromptMessage[] = [
  { role: 'system', content: 'You are a support agent for {{company}}.\nAnswer in {{language}}.' },
  { role: 'placeholder', name: 'history' },
  { role: 'user', content: '{{question}}' },
];
const SUPPORT_CONFIG = { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, response_format: { type: 'text' } };

describe('chat prompts and model configuration, registry and gateway', () => {
  let stack: Stack;
  let t: Team;
  let prodKey: IssuedApiKey;
  let devKey: IssuedApiKey;
  let gw: string;
  const http = () => stack.registry.http;

  beforeAll(async () => {
    stack = await bootStack();
    t = await makeTeam(stack.registry.http);
    prodKey = await issueApiKey(stack, t.admin, t.env.production, 1_000_000);
    devKey = await issueApiKey(stack, t.admin, t.env.development, 1_000_000);
    gw = stack.gateways[0].url;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const createChat = async (environmentId: string, key: string, messages: unknown = SUPPORT, config: unknown = SUPPORT_CONFIG) => {
    const res = await request(http()).post(api(`/environments/${environmentId}/prompts`)).set(t.editor.auth)
      .send({ key, type: 'chat', messages, config, description: 'Support replies' });
    if (res.status !== 201) throw new Error(`creating a chat prompt answered ${res.status}: ${JSON.stringify(res.body)}`);
    return { promptId: res.body.prompt.id as string, version: res.body.version as Record<string, unknown> };
  };
  const proposeBody = async (who: Team['editor'], promptId: string, body: Record<string, unknown>) => {
    const res = await request(http()).post(api(`/prompts/${promptId}/versions`)).set(who.auth).send(body);
    if (res.status !== 201) throw new Error(`proposing answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.version as { id: string; version_num: number; messages: PromptMessage[]; config: Record<string, unknown> };
  };
  const ship = async (versionId: string, reviewer = t.reviewer, proposer = t.editor) => {
    await submit(http(), proposer, versionId);
    const res = await approve(http(), reviewer, versionId);
    if (res.status !== 200) throw new Error(`approving answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.version as { id: string; version_num: number; live_from: string };
  };
  const servedVersion = async (apiKey: string, key: string) => {
    const res = await serve(gw, apiKey, `/v1/serve/${key}?format=json`);
    return res.status === 200 ? (res.json().version as number) : null;
  };

  it('creates a chat prompt as version 1 with its messages and config, and shows its type everywhere', async () => {
    const { promptId, version } = await createChat(t.env.production, 'support.reply');
    expect(version).toMatchObject({
      version_num: 1, status: 'draft', type: 'chat', content: null, messages: SUPPORT, config: SUPPORT_CONFIG,
      parent_content: null, parent_messages: null, parent_config: null,
    });
    const prompt = await request(http()).get(api(`/prompts/${promptId}`)).set(t.viewer.auth).expect(200);
    expect(prompt.body).toMatchObject({ type: 'chat', live_version: null });
    const list = await request(http()).get(api(`/environments/${t.env.production}/prompts?search=support.reply`)).set(t.viewer.auth).expect(200);
    expect(list.body.items[0]).toMatchObject({ key: 'support.reply', type: 'chat' });
    const versions = await request(http()).get(api(`/prompts/${promptId}/versions`)).set(t.viewer.auth).expect(200);
    expect(versions.body.items[0]).toMatchObject({ version_num: 1, type: 'chat' });
    expect(versions.body.items[0]).not.toHaveProperty('messages');
  });

  it('reviews a changed system message and temperature: diff lines and config_changes, approved, served with variables and a filled placeholder', async () => {
    const { promptId, version } = await createChat(t.env.production, 'support.flow');
    const v1 = await ship(version.id as string);
    const changed: PromptMessage[] = [
      { role: 'system', content: 'You are a warm support agent for {{company}}.\nAnswer in {{language}}.' },
      SUPPORT[1], SUPPORT[2],
    ];
    const v2 = await proposeBody(t.editor, promptId, { messages: changed, config: { ...SUPPORT_CONFIG, temperature: 0.9 }, commit_message: 'Warmer' });
    const shown = await request(http()).get(api(`/versions/${v2.id}`)).set(t.viewer.auth).expect(200);
    expect(shown.body).toMatchObject({ type: 'chat', content: null, messages: changed, parent_messages: SUPPORT, parent_config: SUPPORT_CONFIG, config: { temperature: 0.9 } });

    const diff = await request(http()).get(api(`/versions/${v2.id}/diff`)).set(t.viewer.auth).expect(200);
    expect(diff.body).toMatchObject({ base_version_num: v1.version_num, added: 1, removed: 1 });
    expect(diff.body.lines).toEqual([
      { op: ' ', text: '[system]' },
      { op: '-', text: 'You are a support agent for {{company}}.' },
      { op: '+', text: 'You are a warm support agent for {{company}}.' },
      { op: ' ', text: 'Answer in {{language}}.' },
      { op: ' ', text: '[placeholder:history]' },
      { op: ' ', text: '[user]' },
      { op: ' ', text: '{{question}}' },
    ]);
    expect(diff.body.config_changes).toEqual([{ path: 'temperature', before: 0.2, after: 0.9 }]);

    await ship(v2.id);
    expect(await eventually(async () => (await servedVersion(prodKey.key, 'support.flow')) === 2)).toBe(true);

    const got = await serve(gw, prodKey.key, '/v1/serve/support.flow?vars=company=Acme&vars=question=Where%20is%20it%3F');
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toMatch(/^application\/json/);
    expect(got.headers.get('x-prompt-type')).toBe('chat');
    expect(got.headers.get('x-prompt-version')).toBe('2');
    expect(got.json()).toEqual({
      key: 'support.flow', type: 'chat', version: 2, content: null,
      messages: [
        { role: 'system', content: 'You are a warm support agent for Acme.\nAnswer in {{language}}.' },
        { role: 'placeholder', name: 'history' },
        { role: 'user', content: 'Where is it?' },
      ],
      config: { ...SUPPORT_CONFIG, temperature: 0.9 },
      unfilled_variables: ['language'],
      unfilled_placeholders: ['history'],
    });

    const posted = await serve(gw, prodKey.key, '/v1/serve/support.flow', {
      variables: { company: 'Acme', language: 'English', question: 'Hi' },
      placeholders: { history: [{ role: 'user', content: 'My order {{company}}' }, { role: 'assistant', content: 'Which one?' }], unknown: [] },
    });
    expect(posted.status).toBe(200);
    expect(posted.json()).toMatchObject({
      messages: [
        { role: 'system', content: 'You are a warm support agent for Acme.\nAnswer in English.' },
        { role: 'user', content: 'My order {{company}}' },
        { role: 'assistant', content: 'Which one?' },
        { role: 'user', content: 'Hi' },
      ],
      unfilled_variables: [],
      unfilled_placeholders: [],
    });
    const emptied = await serve(gw, prodKey.key, '/v1/serve/support.flow', { placeholders: { history: [] } });
    expect((emptied.json().messages as PromptMessage[]).map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('refuses placeholder messages that are not {role, content} of system, user or assistant', async () => {
    for (const placeholders of [
      { history: [{ role: 'placeholder', name: 'x' }] },
      { history: [{ role: 'tool', content: 'x' }] },
      { history: [{ role: 'user', content: 5 }] },
      { history: 'hello' },
      [],
    ]) {
      const res = await serve(gw, prodKey.key, '/v1/serve/support.flow', { placeholders });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('makes a config-only change a new version that needs a second person in production, and changes the etag', async () => {
    const { promptId, version } = await createChat(t.env.production, 'support.config');
    await ship(version.id as string);
    expect(await eventually(async () => (await servedVersion(prodKey.key, 'support.config')) === 1)).toBe(true);
    const before = await serve(gw, prodKey.key, '/v1/serve/support.config');

    // The same messages, another config: a change like any other.
    const v2 = await proposeBody(t.reviewer, promptId, { messages: SUPPORT, config: { ...SUPPORT_CONFIG, max_tokens: 300 } });
    expect(v2.version_num).toBe(2);
    const diff = await request(http()).get(api(`/versions/${v2.id}/diff`)).set(t.viewer.auth).expect(200);
    expect(diff.body).toMatchObject({ added: 0, removed: 0, config_changes: [{ path: 'max_tokens', before: null, after: 300 }] });
    await submit(http(), t.reviewer, v2.id);
    const own = await approve(http(), t.reviewer, v2.id);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('self_approval');
    await approve(http(), t.admin, v2.id).expect(200);

    expect(await eventually(async () => (await servedVersion(prodKey.key, 'support.config')) === 2)).toBe(true);
    const after = await serve(gw, prodKey.key, '/v1/serve/support.config');
    expect(after.json().messages).toEqual(before.json().messages);
    expect(after.json().config).toEqual({ ...SUPPORT_CONFIG, max_tokens: 300 });
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const revalidated = await fetch(`${gw}/v1/serve/support.config`, { headers: { authorization: `Bearer ${prodKey.key}`, 'if-none-match': before.headers.get('etag')! } });
    expect(revalidated.status).toBe(200);
  });

  it('carries the base config over when a proposal has none, and {} clears it', async () => {
    const { promptId, version } = await createChat(t.env.development, 'support.carry');
    await ship(version.id as string);
    const carried = await proposeBody(t.editor, promptId, { messages: [{ role: 'user', content: 'Just this.' }] });
    expect(carried.config).toEqual(SUPPORT_CONFIG);
    const cleared = await proposeBody(t.editor, promptId, { messages: [{ role: 'user', content: 'Just this.' }], config: {} });
    expect(cleared.config).toEqual({});
    const diff = await request(http()).get(api(`/versions/${cleared.id}/diff`)).set(t.viewer.auth).expect(200);
    expect(diff.body.config_changes).toEqual([
      { path: 'model', before: 'gpt-4o-mini', after: null },
      { path: 'provider', before: 'openai', after: null },
      { path: 'response_format.type', before: 'text', after: null },
      { path: 'temperature', before: 0.2, after: null },
    ]);
  });

  it('rolls back messages and config together, and live-at answers the messages live at an instant', async () => {
    const { promptId, version } = await createChat(t.env.production, 'support.rollback');
    const v1 = await ship(version.id as string);
    const between = new Date(Date.parse(v1.live_from) + 1).toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const v2 = await proposeBody(t.editor, promptId, { messages: [{ role: 'system', content: 'You are curt.' }], config: { temperature: 1.5 } });
    await ship(v2.id);

    const at = await request(http()).get(api(`/prompts/${promptId}/live-at?at=${encodeURIComponent(between)}`)).set(t.viewer.auth).expect(200);
    expect(at.body).toMatchObject({ version_num: 1, content: null, messages: SUPPORT, config: SUPPORT_CONFIG });

    const rolled = await request(http()).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: 1, note: 'curt was wrong' }).expect(201);
    expect(rolled.body.version).toMatchObject({ version_num: 3, status: 'approved', messages: SUPPORT, config: SUPPORT_CONFIG });
    const prompt = await request(http()).get(api(`/prompts/${promptId}`)).set(t.viewer.auth).expect(200);
    expect(prompt.body.live_version).toMatchObject({ version_num: 3, content: null, messages: SUPPORT, config: SUPPORT_CONFIG });
    expect(await eventually(async () => (await servedVersion(prodKey.key, 'support.rollback')) === 3)).toBe(true);
    const served = await serve(gw, prodKey.key, '/v1/serve/support.rollback');
    expect(served.json()).toMatchObject({ messages: SUPPORT, config: SUPPORT_CONFIG });
    const pinned = await serve(gw, prodKey.key, '/v1/serve/support.rollback?version=2');
    expect(pinned.json()).toMatchObject({ version: 2, messages: [{ role: 'system', content: 'You are curt.' }], config: { temperature: 1.5 } });
  });

  it('promotes a chat prompt with its messages and config, and refuses a target where the key is a text prompt', async () => {
    const { version } = await createChat(t.env.development, 'support.promote');
    await ship(version.id as string);
    const devPrompt = (await request(http()).get(api(`/environments/${t.env.development}/prompts/by-key/support.promote`)).set(t.viewer.auth).expect(200)).body as { id: string };

    const promoted = await request(http()).post(api(`/prompts/${devPrompt.id}/promote`)).set(t.editor.auth).send({ target_environment_id: t.env.staging }).expect(201);
    expect(promoted.body.version).toMatchObject({ status: 'pending_review', type: 'chat', messages: SUPPORT, config: SUPPORT_CONFIG });

    await createPrompt(http(), t.editor, t.env.production, 'support.promote', 'A text prompt under the same key.');
    const before = await stack.registry.asOwner(`SELECT count(*)::int AS n FROM prompt_versions`);
    const refused = await request(http()).post(api(`/prompts/${devPrompt.id}/promote`)).set(t.editor.auth).send({ target_environment_id: t.env.production });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('prompt_type_mismatch');
    expect(await stack.registry.asOwner(`SELECT count(*)::int AS n FROM prompt_versions`)).toEqual(before);
  });

  describe('validation: every rule refused with 400 validation_failed naming the field, and nothing written', () => {
    const counts = async () => stack.registry.asOwner(`SELECT (SELECT count(*) FROM prompts)::int AS prompts, (SELECT count(*) FROM prompt_versions)::int AS versions, (SELECT count(*) FROM audit_log)::int AS audit`);
    const deep = { a: { b: { c: { d: { e: {} } } } } };
    it.each([
      ['type chat with content', { type: 'chat', content: 'x' }, 'content'],
      ['type chat with both', { type: 'chat', content: 'x', messages: SUPPORT }, 'content'],
      ['type chat with neither', { type: 'chat' }, 'messages'],
      ['type text with messages', { messages: SUPPORT }, 'messages'],
      ['an unknown type', { type: 'voice', content: 'x' }, 'type'],
      ['no messages', { type: 'chat', messages: [] }, 'messages'],
      ['101 messages', { type: 'chat', messages: Array.from({ length: 101 }, () => ({ role: 'user', content: 'x' })) }, 'messages'],
      ['a role outside the four', { type: 'chat', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role'],
      ['a field a message lacks', { type: 'chat', messages: [{ role: 'user', content: 'x', name: 'n' }] }, 'messages[0].name'],
      ['a content that is not a string', { type: 'chat', messages: [{ role: 'user', content: ['x'] }] }, 'messages[0].content'],
      ['a placeholder name with a dash', { type: 'chat', messages: [{ role: 'placeholder', name: 'chat-history' }] }, 'messages[0].name'],
      ['a repeated placeholder name', { type: 'chat', messages: [{ role: 'placeholder', name: 'h' }, { role: 'placeholder', name: 'h' }] }, 'messages[1].name'],
      ['a message content over 256 KiB', { type: 'chat', messages: [{ role: 'user', content: 'x'.repeat(262_145) }] }, 'messages[0].content'],
      ['config null', { content: 'x', config: null }, 'config'],
      ['config a list', { content: 'x', config: [] }, 'config'],
      ['config over 16,384 bytes', { content: 'x', config: { notes: 'x'.repeat(16_400) } }, 'config'],
      ['config nested 6 deep', { content: 'x', config: deep }, 'config'],
      ['an unknown provider', { content: 'x', config: { provider: 'azure' } }, 'config.provider'],
      ['an empty model', { content: 'x', config: { model: '' } }, 'config.model'],
      ['temperature 2.5', { content: 'x', config: { temperature: 2.5 } }, 'config.temperature'],
      ['top_p 1.1', { content: 'x', config: { top_p: 1.1 } }, 'config.top_p'],
      ['max_tokens 0', { content: 'x', config: { max_tokens: 0 } }, 'config.max_tokens'],
      ['nine stop strings', { content: 'x', config: { stop: Array.from({ length: 9 }, (_, i) => `s${i}`) } }, 'config.stop'],
    ])('at creation: %s', async (_what, body, field) => {
      const before = await counts();
      const res = await request(http()).post(api(`/environments/${t.env.development}/prompts`)).set(t.editor.auth).send({ key: 'invalid.chat', ...body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(JSON.stringify(res.body.error)).toContain(field);
      expect(await counts()).toEqual(before);
    });

    it('at proposal: the other body, both, neither, or config null', async () => {
      const chat = await createChat(t.env.development, 'support.validate');
      const text = await createPrompt(http(), t.editor, t.env.development, 'text.validate', 'Hello.');
      const before = await counts();
      for (const [promptId, body, field] of [
        [chat.promptId, { content: 'x' }, 'content'],
        [chat.promptId, { content: 'x', messages: SUPPORT }, 'content'],
        [chat.promptId, {}, 'messages'],
        [chat.promptId, { messages: SUPPORT, config: null }, 'config'],
        [text.promptId, { messages: SUPPORT }, 'messages'],
        [text.promptId, {}, 'content'],
      ] as const) {
        const res = await request(http()).post(api(`/prompts/${promptId}/versions`)).set(t.editor.auth).send(body);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
        expect(JSON.stringify(res.body.error)).toContain(field);
      }
      expect(await counts()).toEqual(before);
    });
  });

  it('leaves text prompts as they were: text/plain content, and JSON with type text, messages null and config {}', async () => {
    const { versionId } = await createPrompt(http(), t.editor, t.env.development, 'text.legacy', 'Hello {{name}}.');
    await ship(versionId);
    expect(await eventually(async () => (await servedVersion(devKey.key, 'text.legacy')) !== null)).toBe(true);
    const plain = await serve(gw, devKey.key, '/v1/serve/text.legacy?vars=name=Ada');
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(plain.text).toBe('Hello Ada.');
    expect(plain.headers.get('x-prompt-type')).toBe('text');
    const json = await serve(gw, devKey.key, '/v1/serve/text.legacy?format=json');
    expect(json.json()).toEqual({
      key: 'text.legacy', type: 'text', version: 1, content: 'Hello {{name}}.', messages: null, config: {},
      unfilled_variables: ['name'], unfilled_placeholders: [],
    });
    // Placeholders sent for a text prompt are ignored.
    const posted = await serve(gw, devKey.key, '/v1/serve/text.legacy', { variables: { name: 'Bo' }, placeholders: { history: [] } });
    expect(posted.json()).toMatchObject({ content: 'Hello Bo.', unfilled_placeholders: [] });
  });

  it('lists what the API key\'s environment serves, in key order, with variables and placeholders', async () => {
    const { version } = await createChat(t.env.development, 'support.listed');
    await ship(version.id as string);
    expect(await eventually(async () => (await servedVersion(devKey.key, 'support.listed')) !== null)).toBe(true);
    const listed = await serve(gw, devKey.key, '/v1/prompts?limit=100');
    expect(listed.status).toBe(200);
    const items = listed.json().items as Array<Record<string, unknown>>;
    const keys = items.map((i) => i.key as string);
    expect(keys).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(items.find((i) => i.key === 'support.listed')).toMatchObject({
      type: 'chat', version: 1, description: 'Support replies', variables: ['company', 'language', 'question'], placeholders: ['history'],
    });
    expect(items.find((i) => i.key === 'text.legacy')).toMatchObject({ type: 'text', variables: ['name'], placeholders: [] });
    // Drafts and other environments are not listed.
    expect(keys).not.toContain('support.validate');
    expect(keys).not.toContain('support.reply');
    expect((await serve(gw, 'pg_live_notakey', '/v1/prompts')).status).toBe(401);
  });

  it('agrees with the SDK\'s compile on generated messages, variables and placeholders (property)', async () => {
    const sdk = new Promptgate({ apiKey: devKey.key, baseUrl: gw });
    const name = fc.constantFrom('a', 'b', 'topic', 'x_1');
    const text = fc.array(fc.oneof(fc.string({ maxLength: 8 }), name.map((n) => `{{${n}}}`), fc.constantFrom('{{', '}}', '{{a}', '\n')), { maxLength: 5 }).map((p) => p.join(''));
    const message = fc.oneof(
      fc.record({ role: fc.constantFrom('system' as const, 'user' as const, 'assistant' as const), content: text }),
      fc.constantFrom('h1', 'h2').map((n) => ({ role: 'placeholder' as const, name: n })),
    );
    const messages = fc.array(message, { minLength: 1, maxLength: 6 }).filter((ms) => {
      const names = ms.flatMap((m) => (m.role === 'placeholder' ? [m.name] : []));
      return new Set(names).size === names.length;
    });
    const fill = fc.array(fc.record({ role: fc.constantFrom('user' as const, 'assistant' as const), content: text }), { maxLength: 2 });
    let run = 0;
    await fc.assert(fc.asyncProperty(
      messages, fc.dictionary(name, fc.string({ maxLength: 6 })), fc.dictionary(fc.constantFrom('h1', 'h2', 'h3'), fill),
      async (ms, variables, placeholders) => {
        const key = `prop.chat${run++}`;
        const created = await createChat(t.env.development, key, ms, {});
        await ship(created.version.id as string);
        if (!(await eventually(async () => (await servedVersion(devKey.key, key)) !== null))) throw new Error(`${key} never served`);
        const served = await serve(gw, devKey.key, `/v1/serve/${key}`, { variables, placeholders });
        const prompt = (await sdk.getPrompt(key)) as ChatPrompt;
        expect(prompt.compile(variables, placeholders)).toEqual(served.json().messages);
      },
    ), { numRuns: 12 });
  });
});
