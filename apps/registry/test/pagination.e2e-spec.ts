import request from 'supertest';
import { useRegistry } from './support/registry.js';
import { api, createPrompt, makeTeam, propose, type Team } from './support/review-flow.js';

/** The cursor format every list has answered since the first release, written out here so a change to it fails. */
const cursorOf = (position: Array<string | number>) => Buffer.from(JSON.stringify(position)).toString('base64url');
const EXACT_UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

type Item = Record<string, unknown>;
type Page = { items: Item[]; next_cursor: string | null };

describe('every list pages by keyset with the cursors it always gave', () => {
  const h = useRegistry();
  let t: Team;
  let promptId: string;

  beforeAll(async () => {
    t = await makeTeam(h.http);
    ({ promptId } = await createPrompt(h.http, t.editor, t.env.development, 'paging-a'));
    await createPrompt(h.http, t.editor, t.env.development, 'paging-b');
    await createPrompt(h.http, t.editor, t.env.development, 'paging-c');
    await propose(h.http, t.editor, promptId, 'Second.');
    await propose(h.http, t.editor, promptId, 'Third.');
    for (const provider of ['openai', 'anthropic', 'groq']) {
      await request(h.http).put(api(`/workspaces/${t.ws}/provider-keys/${provider}`)).set(t.admin.auth).send({ api_key: `key-for-${provider}-0000` }).expect(200);
    }
    for (const name of ['first', 'second', 'third']) {
      await request(h.http).post(api(`/environments/${t.env.development}/api-keys`)).set(t.admin.auth).send({ name }).expect(201);
    }
  });

  /** Walks the list one item a page, as a client following next_cursor does. */
  async function walk(url: string, auth: Record<string, string>): Promise<Page[]> {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(h.http).get(url).query({ limit: 1, ...(cursor ? { cursor } : {}) }).set(auth).expect(200);
      const page = res.body as Page;
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor !== null && pages.length < 100);
    return pages;
  }

  const lists: Array<[string, () => string, () => Promise<Array<{ id: string | number; position: Array<string | number> }>>, (item: Item) => unknown]> = [
    ['environments (oldest first)', () => api(`/workspaces/${t.ws}/environments`), async () =>
      ((await h.dataSource.query(
        `SELECT id, ${EXACT_UTC('created_at')} AS at FROM environments WHERE workspace_id = $1 ORDER BY created_at, id`, [t.ws],
      )) as Array<{ id: string; at: string }>).map((r) => ({ id: r.id, position: [r.at, r.id] })), (i) => i.id],
    ['members (oldest first)', () => api(`/workspaces/${t.ws}/members`), async () =>
      ((await h.dataSource.query(
        `SELECT user_id, ${EXACT_UTC('created_at')} AS at FROM memberships WHERE workspace_id = $1 ORDER BY created_at, user_id`, [t.ws],
      )) as Array<{ user_id: string; at: string }>).map((r) => ({ id: r.user_id, position: [r.at, r.user_id] })), (i) => (i.user as Item).id],
    ['prompts (newest change first)', () => api(`/environments/${t.env.development}/prompts`), async () =>
      ((await h.dataSource.query(
        `SELECT id, ${EXACT_UTC('updated_at')} AS at FROM prompts WHERE environment_id = $1 ORDER BY updated_at DESC, id DESC`, [t.env.development],
      )) as Array<{ id: string; at: string }>).map((r) => ({ id: r.id, position: [r.at, r.id] })), (i) => i.id],
    ['versions (newest first)', () => api(`/prompts/${promptId}/versions`), async () =>
      ((await h.dataSource.query(
        `SELECT id, version_num FROM prompt_versions WHERE prompt_id = $1 ORDER BY version_num DESC`, [promptId],
      )) as Array<{ id: string; version_num: number }>).map((r) => ({ id: r.id, position: [r.version_num] })), (i) => i.id],
    ['audit entries (newest first)', () => api(`/workspaces/${t.ws}/audit`), async () =>
      ((await h.dataSource.query(
        `SELECT seq FROM audit_log WHERE workspace_id = $1 ORDER BY seq DESC`, [t.ws],
      )) as Array<{ seq: string }>).map((r) => ({ id: Number(r.seq), position: [Number(r.seq)] })), (i) => i.seq],
    ['provider keys (by provider)', () => api(`/workspaces/${t.ws}/provider-keys`), async () =>
      ((await h.dataSource.query(
        `SELECT provider FROM provider_keys WHERE workspace_id = $1 ORDER BY provider`, [t.ws],
      )) as Array<{ provider: string }>).map((r) => ({ id: r.provider, position: [r.provider] })), (i) => i.provider],
    ['API keys (newest first)', () => api(`/environments/${t.env.development}/api-keys`), async () =>
      ((await h.dataSource.query(
        `SELECT id, ${EXACT_UTC('created_at')} AS at FROM api_keys WHERE environment_id = $1 ORDER BY created_at DESC, id DESC`, [t.env.development],
      )) as Array<{ id: string; at: string }>).map((r) => ({ id: r.id, position: [r.at, r.id] })), (i) => i.id],
  ];

  it.each(lists)('%s: one row a page in keyset order, each next_cursor the last row\'s position', async (_name, url, expected, idOf) => {
    const rows = await expected();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const pages = await walk(url(), t.admin.auth);
    expect(pages.map((p) => p.items.map(idOf))).toEqual(rows.map((r) => [r.id]));
    expect(pages.map((p) => p.next_cursor)).toEqual(rows.map((r, i) => (i < rows.length - 1 ? cursorOf(r.position) : null)));
  });

  it.each(lists)('%s: a cursor that names no position of the list is 400 validation_failed', async (_name, url) => {
    const forged = cursorOf(['not', 'a', 'position', 1]);
    const res = await request(h.http).get(url()).query({ cursor: forged }).set(t.admin.auth).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
  });
});
