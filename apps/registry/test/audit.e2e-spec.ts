import { createHash } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { signup, useRegistry, workspaceWith } from './support/registry.js';

/** An independent reading of API.md's hash rule, so the test does not trust libs/domain's code. */
function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`).join(',')}}`;
}
function recompute(e: Record<string, unknown>): string {
  const { seq, action, resource_type, resource_id, actor_email, extra, created_at } = e;
  const body = sortedJson({ seq, action, resource_type, resource_id, actor_email, extra, created_at });
  return createHash('sha256').update(`${e.prev_hash as string}\n${body}`).digest('hex');
}

describe('audit log', () => {
  const h = useRegistry();

  it('lists a workspace’s entries newest first, each hash recomputable by a reader', async () => {
    const owner = await signup(h.http);
    const res = await request(h.http).get(`/api/v1/workspaces/${owner.workspaceId}/audit`).set(owner.auth).expect(200);
    const items = res.body.items as Array<Record<string, unknown>>;
    expect(items.map((e) => e.action)).toEqual([
      'environment.created', 'environment.created', 'environment.created', 'member.added', 'workspace.created',
    ]);
    expect(items.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(items[4].prev_hash).toBe('0'.repeat(64));
    for (let i = 0; i < items.length; i++) {
      expect(items[i].integrity_hash).toBe(recompute(items[i]));
      if (i > 0) expect(items[i - 1].prev_hash).toBe(items[i].integrity_hash);
      expect(items[i].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    expect(items[0]).toEqual({
      seq: 5, action: 'environment.created', resource_type: 'environment', resource_id: expect.any(String),
      actor_email: owner.user.email, extra: expect.any(Object), prev_hash: expect.any(String),
      integrity_hash: expect.any(String), created_at: expect.any(String),
    });
  });

  it('filters by action, resource, actor and time, and pages by cursor', async () => {
    const owner = await signup(h.http);
    const ws = owner.workspaceId;
    const base = `/api/v1/workspaces/${ws}/audit`;
    const envs = await request(h.http).get(`/api/v1/workspaces/${ws}/environments`).set(owner.auth).expect(200);
    const staging = envs.body.items.find((e: { name: string }) => e.name === 'staging');

    const byAction = await request(h.http).get(base).query({ action: 'environment.created' }).set(owner.auth).expect(200);
    expect(byAction.body.items).toHaveLength(3);
    const byResource = await request(h.http).get(base).query({ resource_id: staging.id }).set(owner.auth).expect(200);
    expect(byResource.body.items.map((e: { action: string }) => e.action)).toEqual(['environment.created']);
    const byActor = await request(h.http).get(base).query({ actor: owner.user.email.toUpperCase() }).set(owner.auth).expect(200);
    expect(byActor.body.items).toHaveLength(5);
    const future = await request(h.http).get(base).query({ from: '2100-01-01T00:00:00Z' }).set(owner.auth).expect(200);
    expect(future.body.items).toEqual([]);
    const past = await request(h.http).get(base).query({ to: '2000-01-01T00:00:00Z' }).set(owner.auth).expect(200);
    expect(past.body.items).toEqual([]);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
      const page = await request(h.http).get(base).query(q).set(owner.auth).expect(200);
      seen.push(...page.body.items.map((e: { seq: number }) => e.seq));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1]);

    await request(h.http).get(base).query({ from: 'yesterday' }).set(owner.auth).expect(400);
    await request(h.http).get(base).query({ colour: 'red' }).set(owner.auth).expect(400);
    await request(h.http).get(base).query({ cursor: 'bm90LWEtY3Vyc29y' }).set(owner.auth).expect(400);
  });

  it('lets viewers read, only admins verify, and hides the log from other workspaces (404)', async () => {
    const owner = await signup(h.http);
    const [viewer, editor, admin] = [await signup(h.http), await signup(h.http), await signup(h.http)];
    const ws = await workspaceWith(h.http, owner, [
      { user: viewer, role: 'viewer' }, { user: editor, role: 'editor' }, { user: admin, role: 'admin' },
    ]);
    await request(h.http).get(`/api/v1/workspaces/${ws}/audit`).set(viewer.auth).expect(200);
    await request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(editor.auth).expect(403);
    await request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(admin.auth).expect(200);
    const stranger = await signup(h.http);
    const res = await request(h.http).get(`/api/v1/workspaces/${ws}/audit`).set(stranger.auth).expect(404);
    expect(res.body.error.code).toBe('not_found');
    await request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(stranger.auth).expect(404);
  });

  it('keeps one gap-free chain under 20 concurrent writers (1,000+ entries), verified', async () => {
    const owner = await signup(h.http);
    const ws = owner.workspaceId;
    const envIds: string[] = [];
    const existing = await request(h.http).get(`/api/v1/workspaces/${ws}/environments`).set(owner.auth).expect(200);
    envIds.push(...existing.body.items.map((e: { id: string }) => e.id));
    for (let i = envIds.length; i < 20; i++) {
      const res = await request(h.http).post(`/api/v1/workspaces/${ws}/environments`).set(owner.auth).send({ name: `env-${i}` }).expect(201);
      envIds.push(res.body.environment.id);
    }
    // Each writer changes its own environment 50 times; every change writes one entry.
    await Promise.all(envIds.map(async (envId, w) => {
      for (let i = 0; i < 50; i++) {
        await request(h.http).patch(`/api/v1/environments/${envId}`).set(owner.auth)
          .send({ eval_pass_threshold: (i % 2) + w / 10 + 1 }).expect(200);
      }
    }));
    const verdict = await request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(owner.auth).expect(200);
    const total = 5 + 17 + 1000;
    expect(verdict.body).toEqual({ ok: true, entries_checked: total, head_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const seqs = await h.dataSource.query(
      `SELECT min(seq)::int AS min, max(seq)::int AS max, count(DISTINCT seq)::int AS n FROM audit_log WHERE workspace_id = $1`, [ws]);
    expect(seqs[0]).toEqual({ min: 1, max: total, n: total });
    const head = await request(h.http).get(`/api/v1/workspaces/${ws}/audit`).query({ limit: '1' }).set(owner.auth).expect(200);
    expect(head.body.items[0].integrity_hash).toBe(verdict.body.head_hash);
  });

  it('reports the seq of a row a superuser edited behind the triggers', async () => {
    const owner = await signup(h.http);
    const ws = owner.workspaceId;
    const ok = await request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(owner.auth).expect(200);
    expect(ok.body).toMatchObject({ ok: true, entries_checked: 5 });

    const client = new pg.Client({ connectionString: h.db.ownerUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
      await client.query(`UPDATE audit_log SET actor_email = 'mallory@example.com' WHERE workspace_id = $1 AND seq = 3`, [ws]);
      await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    const bad = await request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(owner.auth).expect(200);
    expect(bad.body).toEqual({ ok: false, entries_checked: 3, first_bad_seq: 3 });
  });

  it('verifies a long chain while writes land, and still finds a tampered entry deep in it', async () => {
    const owner = await signup(h.http);
    const ws = owner.workspaceId;
    const client = new pg.Client({ connectionString: h.db.ownerUrl });
    await client.connect();
    const seeded = 12_000;
    try {
      // Extends the signup's 5 entries to `seeded`, hashed by this file's own reading of API.md.
      const [head] = (await client.query(`SELECT seq, integrity_hash FROM audit_log WHERE workspace_id = $1 ORDER BY seq DESC LIMIT 1`, [ws])).rows;
      let prev = head.integrity_hash as string;
      const rows: Array<Record<string, unknown>> = [];
      for (let seq = Number(head.seq) + 1; seq <= seeded; seq++) {
        const e: Record<string, unknown> = {
          seq, action: 'environment.updated', resource_type: 'environment', resource_id: `r${seq}`,
          actor_email: owner.user.email, extra: { n: seq }, created_at: new Date(Date.UTC(2026, 0, 1) + seq).toISOString(), prev_hash: prev,
        };
        e.integrity_hash = recompute(e);
        prev = e.integrity_hash as string;
        rows.push(e);
      }
      const col = (k: string) => rows.map((r) => (k === 'extra' ? JSON.stringify(r[k]) : r[k]));
      await client.query(
        `INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[], $10::timestamptz[])`,
        [ws, ...['seq', 'action', 'resource_type', 'resource_id', 'actor_email', 'extra', 'prev_hash', 'integrity_hash', 'created_at'].map(col)],
      );

      const envs = await request(h.http).get(`/api/v1/workspaces/${ws}/environments`).set(owner.auth).expect(200);
      const envIds = (envs.body.items as Array<{ id: string }>).map((e) => e.id);
      const writes = (round: number) => Promise.all(envIds.map(async (envId, w) => {
        for (let i = 0; i < 10; i++) {
          await request(h.http).patch(`/api/v1/environments/${envId}`).set(owner.auth)
            .send({ eval_pass_threshold: (i % 2) + w / 10 + round }).expect(200);
        }
      }));
      const [verdict] = await Promise.all([
        request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(owner.auth).expect(200),
        writes(1),
      ]);
      expect(verdict.body).toEqual({ ok: true, entries_checked: expect.any(Number), head_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(verdict.body.entries_checked).toBeGreaterThanOrEqual(seeded);
      expect(verdict.body.entries_checked).toBeLessThanOrEqual(seeded + 30);
      const after = await request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(owner.auth).expect(200);
      expect(after.body).toMatchObject({ ok: true, entries_checked: seeded + 30 });

      const bad = 9_876;
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
      await client.query(`UPDATE audit_log SET extra = '{"n": 1}' WHERE workspace_id = $1 AND seq = $2`, [ws, bad]);
      await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete');
      await client.query('COMMIT');
      const [tampered] = await Promise.all([
        request(h.http).get(`/api/v1/workspaces/${ws}/audit/verify`).set(owner.auth).expect(200),
        writes(2),
      ]);
      expect(tampered.body).toEqual({ ok: false, entries_checked: bad, first_bad_seq: bad });
    } finally {
      await client.end();
    }
  });
});
