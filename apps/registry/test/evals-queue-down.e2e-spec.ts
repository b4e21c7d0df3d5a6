import { Writable } from 'node:stream';
import request from 'supertest';
import { freePort } from '#runtime';
import { bootRegistry, type RegistryHarness } from './support/registry.js';
import { api, auditOf, createPrompt, makeTeam, submit, type Team } from './support/review-flow.js';

describe('evals while Redis is away', () => {
  const canary = 'sk-canary-queue-down-5f3a9c1e7b';
  const logLines: string[] = [];
  let h: RegistryHarness;
  let t: Team;

  beforeAll(async () => {
    const logDestination = new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } });
    // Nothing listens on this port: every Redis command fails, as in an outage.
    h = await bootRegistry({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, LOG_LEVEL: 'debug' }, { logDestination });
    t = await makeTeam(h.http);
  });

  afterAll(async () => {
    await h?.close();
  });

  const evalsOf = async (versionId: string) =>
    (await request(h.http).get(api(`/versions/${versionId}/evals`)).set(t.viewer.auth).expect(200)).body.items as Array<Record<string, unknown>>;

  it('answers 503 queue_unavailable and fails the run (audited) instead of leaving it queued', async () => {
    const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'down.judge');
    const res = await request(h.http).post(api(`/versions/${versionId}/evals`)).set(t.editor.auth)
      .send({ mode: 'judge', provider: 'openai', api_key: canary }).expect(503);
    expect(res.body.error.code).toBe('queue_unavailable');
    expect(JSON.stringify(res.body)).not.toContain(canary);

    const [run] = await evalsOf(versionId);
    expect(run).toMatchObject({ mode: 'judge', provider: 'openai', status: 'failed', started_at: null, error: expect.stringMatching(/could not be queued/) });
    expect(run.finished_at).toEqual(expect.any(String));
    expect((await auditOf(h.dataSource, t.ws, run.id as string)).map((e) => e.action)).toEqual(['eval.failed']);
    expect(h.serverErrors.splice(0)).toEqual([`POST /api/v1/versions/${versionId}/evals -> 503`]);
  });

  it('still submits the version; its rules eval is failed, not queued', async () => {
    const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'down.submit');
    await submit(h.http, t.editor, versionId);
    expect(await evalsOf(versionId)).toEqual([expect.objectContaining({ mode: 'rules', status: 'failed' })]);
  });

  it('logs the outage without the key', async () => {
    await new Promise((r) => setImmediate(r));
    expect(logLines.some((l) => l.includes('eval job not queued'))).toBe(true);
    expect(logLines.filter((l) => l.includes(canary))).toEqual([]);
  });
});
