import request from 'supertest';
import { useRegistry } from './support/registry.js';
import { api, auditOf, createPrompt, livePrompt, makeTeam, type Team } from './support/review-flow.js';

describe('test cases', () => {
  const h = useRegistry();
  let t: Team;

  beforeAll(async () => {
    t = await makeTeam(h.http);
  });

  const add = (promptId: string, body: unknown, who = t.editor) =>
    request(h.http).post(api(`/prompts/${promptId}/test-cases`)).set(who.auth).send(body as object);
  const listOf = (promptId: string, query = '', who = t.viewer) =>
    request(h.http).get(api(`/prompts/${promptId}/test-cases${query}`)).set(who.auth);
  const patch = (id: string, body: unknown, who = t.editor) =>
    request(h.http).patch(api(`/test-cases/${id}`)).set(who.auth).send(body as object);

  describe('POST /prompts/:id/test-cases', () => {
    it('creates a case with the defaults, answers it as API.md shapes it, and audits test_case.created with its id', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.create');
      const res = await add(promptId, { name: '  greeting ' }).expect(201);
      expect(res.body.test_case).toEqual({
        id: expect.any(String), prompt_id: promptId, name: 'greeting', variables: {}, input: null, placeholders: {}, assertions: [],
        created_at: expect.any(String), updated_at: expect.any(String),
      });
      const [entry] = await auditOf(h.dataSource, t.ws, res.body.test_case.id);
      expect(entry).toMatchObject({
        action: 'test_case.created', resource_type: 'test_case', actor_email: t.editor.user.email,
        extra: { prompt_id: promptId, name: 'greeting' },
      });
    });

    it('keeps every field as given, is_json normalised to value null', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.full');
      const body = {
        name: 'refund', variables: { customer: 'Ada' }, input: 'Where is my refund?',
        placeholders: { history: [{ role: 'user', content: 'hi' }] },
        assertions: [{ type: 'contains', value: 'refund' }, { type: 'regex', value: '(?i)^dear' }, { type: 'max_chars', value: 500 }, { type: 'is_json' }, { type: 'judge', value: 'is formal' }],
      };
      const res = await add(promptId, body).expect(201);
      expect(res.body.test_case).toMatchObject({ ...body, assertions: [...body.assertions.slice(0, 3), { type: 'is_json', value: null }, body.assertions[4]] });
      const listed = await listOf(promptId).expect(200);
      expect(listed.body.items).toEqual([res.body.test_case]);
    });

    it.each([
      ['no name', {}, 'name'],
      ['a name of 201 characters', { name: 'n'.repeat(201) }, 'name'],
      ['a variable that is not a string', { name: 'x', variables: { n: 1 } }, 'variables.n'],
      ['a bad placeholder role', { name: 'x', placeholders: { h: [{ role: 'tool', content: 'x' }] } }, 'placeholders.h[0].role'],
      ['an unknown assertion type', { name: 'x', assertions: [{ type: 'equals', value: 'a' }] }, 'assertions[0].type'],
      ['a backreference RE2 cannot run', { name: 'x', assertions: [{ type: 'contains', value: 'a' }, { type: 'regex', value: '(a)\\1' }] }, 'assertions[1].value'],
      ['an unclosed class', { name: 'x', assertions: [{ type: 'regex', value: '[' }] }, 'assertions[0].value'],
      ['max_chars of 0', { name: 'x', assertions: [{ type: 'max_chars', value: 0 }] }, 'assertions[0].value'],
    ])('refuses %s with 400 validation_failed naming the field, and stores nothing', async (what, body, field) => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, `cases.bad.${what.replace(/[^a-z0-9]/gi, '').toLowerCase()}`);
      const res = await add(promptId, body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(res.body.error.message).toContain(field);
      expect((await listOf(promptId).expect(200)).body.items).toEqual([]);
    });

    it('refuses an unknown field with 400 naming it', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.unknown');
      const res = await add(promptId, { name: 'x', expected: 'y' }).expect(400);
      expect(JSON.stringify(res.body.error)).toContain('expected');
    });

    it('answers 409 conflict for a name the prompt has (after trimming), and allows it in another prompt', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.dup');
      await add(promptId, { name: 'same' }).expect(201);
      const res = await add(promptId, { name: 'same ' }).expect(409);
      expect(res.body.error.code).toBe('conflict');
      const other = await createPrompt(h.http, t.editor, t.env.development, 'cases.dup2');
      await add(other.promptId, { name: 'same' }).expect(201);
    });

    it('answers 409 too_many_test_cases at 200 cases', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.many');
      await h.dataSource.query(
        `INSERT INTO test_cases (workspace_id, prompt_id, name) SELECT $1, $2, 'case ' || g FROM generate_series(1, 199) g`, [t.ws, promptId]);
      await add(promptId, { name: 'the 200th' }).expect(201);
      const res = await add(promptId, { name: 'the 201st' }).expect(409);
      expect(res.body.error.code).toBe('too_many_test_cases');
    });

    it('needs the editor role (403 for a viewer), and hides other workspaces\' prompts (404)', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.roles');
      expect((await add(promptId, { name: 'x' }, t.viewer).expect(403)).body.error.code).toBe('forbidden');
      const stranger = await makeTeam(h.http);
      expect((await add(promptId, { name: 'x' }, stranger.owner).expect(404)).body.error.code).toBe('not_found');
      await listOf(promptId, '', stranger.owner).expect(404);
      await add('00000000-0000-4000-8000-000000000000', { name: 'x' }).expect(404);
      await add('nope', { name: 'x' }).expect(400);
    });
  });

  describe('GET /prompts/:id/test-cases', () => {
    it('lists in name order (byte order), page by page', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.list');
      for (const name of ['b', 'a', 'C', 'é', 'a2']) await add(promptId, { name }).expect(201);
      const first = await listOf(promptId, '?limit=2').expect(200);
      expect(first.body.items.map((c: { name: string }) => c.name)).toEqual(['C', 'a']);
      const second = await listOf(promptId, `?limit=2&cursor=${first.body.next_cursor}`).expect(200);
      expect(second.body.items.map((c: { name: string }) => c.name)).toEqual(['a2', 'b']);
      const third = await listOf(promptId, `?limit=2&cursor=${second.body.next_cursor}`).expect(200);
      expect(third.body).toEqual({ items: [expect.objectContaining({ name: 'é' })], next_cursor: null });
      await listOf(promptId, '?cursor=!!').expect(400);
    });
  });

  describe('PATCH and DELETE /test-cases/:id', () => {
    it('changes only the fields present, input null clears it, audits the fields changed, and an empty body changes nothing', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.patch');
      const created = (await add(promptId, { name: 'p', input: 'hi', assertions: [{ type: 'contains', value: 'a' }] }).expect(201)).body.test_case;
      const res = await patch(created.id, { input: null, variables: { who: 'Ada' } }).expect(200);
      expect(res.body.test_case).toMatchObject({ id: created.id, name: 'p', input: null, variables: { who: 'Ada' }, assertions: [{ type: 'contains', value: 'a' }] });
      expect(Date.parse(res.body.test_case.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
      const unchanged = await patch(created.id, {}).expect(200);
      expect(unchanged.body.test_case).toEqual(res.body.test_case);
      const entries = await auditOf(h.dataSource, t.ws, created.id);
      expect(entries.map((e) => e.action)).toEqual(['test_case.created', 'test_case.updated']);
      expect(entries[1].extra).toMatchObject({ prompt_id: promptId, fields: ['variables', 'input'] });
    });

    it('refuses a bad field with 400 naming it, a name another case has with 409, and a viewer with 403', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.patch-refusals');
      await add(promptId, { name: 'taken' }).expect(201);
      const mine = (await add(promptId, { name: 'mine' }).expect(201)).body.test_case;
      const bad = await patch(mine.id, { assertions: [{ type: 'regex', value: '(?=x)' }] }).expect(400);
      expect(bad.body.error.details[0].field).toBe('assertions[0].value');
      expect((await patch(mine.id, { name: null }).expect(400)).body.error.details[0].field).toBe('name');
      expect((await patch(mine.id, { name: 'taken' }).expect(409)).body.error.code).toBe('conflict');
      expect((await patch(mine.id, { name: 'x' }, t.viewer).expect(403)).body.error.code).toBe('forbidden');
      const stranger = await makeTeam(h.http);
      await patch(mine.id, { name: 'x' }, stranger.owner).expect(404);
      expect((await listOf(promptId).expect(200)).body.items.map((c: { name: string }) => c.name)).toEqual(['mine', 'taken']);
    });

    it('deletes with 204, audits test_case.deleted, and answers 404 after', async () => {
      const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.delete');
      const c = (await add(promptId, { name: 'gone' }).expect(201)).body.test_case;
      const stranger = await makeTeam(h.http);
      await request(h.http).delete(api(`/test-cases/${c.id}`)).set(stranger.owner.auth).expect(404);
      await request(h.http).delete(api(`/test-cases/${c.id}`)).set(t.viewer.auth).expect(403);
      await request(h.http).delete(api(`/test-cases/${c.id}`)).set(t.editor.auth).expect(204);
      await request(h.http).delete(api(`/test-cases/${c.id}`)).set(t.editor.auth).expect(404);
      await patch(c.id, { name: 'x' }).expect(404);
      expect((await auditOf(h.dataSource, t.ws, c.id)).map((e) => e.action)).toEqual(['test_case.created', 'test_case.deleted']);
      expect((await listOf(promptId).expect(200)).body.items).toEqual([]);
    });
  });

  describe('promote', () => {
    it('copies the source\'s cases to the target prompt, leaving a case whose name the target has as the target has it', async () => {
      const { promptId } = await livePrompt(h.http, t, 'development', 'cases.promote');
      await add(promptId, { name: 'alpha', input: 'from dev', assertions: [{ type: 'contains', value: 'x' }] }).expect(201);
      await add(promptId, { name: 'beta', input: 'dev beta' }).expect(201);
      const first = await request(h.http).post(api(`/prompts/${promptId}/promote`)).set(t.editor.auth).send({ target_environment_id: t.env.staging }).expect(201);
      const target = first.body.version.prompt_id as string;
      const copied = (await listOf(target).expect(200)).body.items;
      expect(copied.map((c: { name: string; input: string; prompt_id: string }) => [c.name, c.input, c.prompt_id]))
        .toEqual([['alpha', 'from dev', target], ['beta', 'dev beta', target]]);
      expect(copied[0].assertions).toEqual([{ type: 'contains', value: 'x' }]);
      expect((await auditOf(h.dataSource, t.ws, first.body.version.id)).at(-1)?.extra).toMatchObject({ test_cases_copied: 2 });

      await patch(copied[1].id, { input: 'staging beta' }).expect(200);
      await add(promptId, { name: 'gamma' }).expect(201);
      const second = await request(h.http).post(api(`/prompts/${promptId}/promote`)).set(t.editor.auth).send({ target_environment_id: t.env.staging }).expect(201);
      expect(second.body.version.prompt_id).toBe(target);
      const after = (await listOf(target).expect(200)).body.items;
      expect(after.map((c: { name: string; input: string | null }) => [c.name, c.input])).toEqual([['alpha', 'from dev'], ['beta', 'staging beta'], ['gamma', null]]);
      // The source keeps its own.
      expect((await listOf(promptId).expect(200)).body.items).toHaveLength(3);
    });
  });

  it('goes with its prompt: deleting the prompt\'s workspace rows cascades', async () => {
    const { promptId } = await createPrompt(h.http, t.editor, t.env.development, 'cases.cascade');
    await add(promptId, { name: 'x' }).expect(201);
    await h.asOwner(`DELETE FROM prompt_versions WHERE prompt_id = $1`, [promptId]);
    await h.asOwner(`DELETE FROM prompts WHERE id = $1`, [promptId]);
    expect(await h.dataSource.query(`SELECT count(*)::int AS n FROM test_cases WHERE prompt_id = $1`, [promptId])).toEqual([{ n: 0 }]);
  });

  it('answered no 5xx', () => {
    expect(h.serverErrors).toEqual([]);
  });
});
