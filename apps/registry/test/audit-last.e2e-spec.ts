import pg from 'pg';
import request from 'supertest';
import { AuditChainSweeper } from '../src/audit/audit-chain-sweeper.js';
import { AuditTrail } from '../src/audit/audit-trail.js';
import { loggedDataSource, StatementLog, until, withTwoConnections } from '../../../test/support/statements.js';
import { signup, useRegistry } from './support/registry.js';
import { api, createPrompt } from './support/review-flow.js';

describe('the audit append is the last statement of an audited change', () => {
  const h = useRegistry();

  /** A new workspace's owner and a prompt of its development environment. */
  async function ownerWithPrompt(key: string) {
    const owner = await signup(h.http);
    const envs = await request(h.http).get(api(`/workspaces/${owner.workspaceId}/environments`)).set(owner.auth).expect(200);
    const development = (envs.body.items as Array<{ id: string; name: string }>).find((e) => e.name === 'development')!.id;
    return { owner, ...(await createPrompt(h.http, owner, development, key)) };
  }

  it('submits in one statement, its event and audit entry in it; sends an approval\'s event with its audit entry and COMMIT as one message', async () => {
    const owner = await signup(h.http);
    const envs = await request(h.http).get(api(`/workspaces/${owner.workspaceId}/environments`)).set(owner.auth).expect(200);
    const development = (envs.body.items as Array<{ id: string; name: string }>).find((e) => e.name === 'development')!.id;
    const count = 12;
    const versions: string[] = [];
    for (let i = 0; i < count; i++) versions.push((await createPrompt(h.http, owner, development, `audit-last.tail-${i}`)).versionId);
    const log = new StatementLog();
    // The registry's own DataSource, its logger swapped for the test: TypeORM reads it on every statement.
    const ds = h.dataSource as unknown as { logger: unknown };
    const logger = ds.logger;
    ds.logger = log;
    try {
      for (const versionId of versions) {
        for (const step of ['submit', 'approve'] as const) {
          await request(h.http).post(api(`/versions/${versionId}/${step}`)).set(owner.auth).send({}).expect(200);
        }
      }
    } finally {
      ds.logger = logger;
    }
    // Each submit: one statement, with its event, its consumption and its audit entry.
    const submits = log.statements.filter((s) => s.startsWith('WITH target AS (SELECT review_target('));
    expect(submits).toHaveLength(count);
    for (const submit of submits) expect(submit).toMatch(/INSERT INTO outbox_events .*INSERT INTO outbox_consumptions .*INSERT INTO audit_pending/);
    // An approval's event: the first on a pool connection runs on its own, which parses the
    // statement there; every later one is an EXECUTE of it in the message that writes the audit
    // entry and commits.
    const own = log.statements.filter((s) => s.startsWith('WITH event AS ( INSERT INTO outbox_events'));
    const held = log.statements.filter((s) => s.startsWith('EXECUTE pg_'));
    expect(own.length + held.length).toBe(count);
    expect(own.length).toBeLessThanOrEqual(h.config.DATABASE_POOL_SIZE);
    expect(held.length).toBeGreaterThanOrEqual(count - h.config.DATABASE_POOL_SIZE);
    for (const message of held) {
      expect(message).toMatch(
        /^EXECUTE pg_[0-9a-f]{24}\('[0-9a-f-]{36}', '[0-9a-f-]{36}', 'version\.approved', .*\); INSERT INTO audit_pending \(id, workspace_id, entries\) VALUES .*; COMMIT$/);
    }
    // The audit entry has a message of its own (with the COMMIT) only after an event that ran on its own.
    expect(log.statements.filter((s) => s.startsWith('INSERT INTO audit_pending'))).toHaveLength(own.length);
    const written = await h.asOwner(
      `SELECT e.event_type, count(c.*) FILTER (WHERE c.done_at IS NOT NULL)::int AS done, count(c.*)::int AS consumptions
         FROM outbox_events e LEFT JOIN outbox_consumptions c ON c.event_id = e.id
        WHERE e.payload->'version'->>'id' = ANY($1::text[]) GROUP BY e.id, e.event_type ORDER BY e.event_type`, [versions]);
    expect(written).toEqual([
      ...Array(count).fill({ event_type: 'version.approved', done: 1, consumptions: 1 }),
      ...Array(count).fill({ event_type: 'version.submitted', done: 1, consumptions: 1 }),
    ]);
    const verify = await request(h.http).get(api(`/workspaces/${owner.workspaceId}/audit/verify`)).set(owner.auth).expect(200);
    expect(verify.body).toMatchObject({ ok: true });
  });

  it('takes the workspace audit lock only after the outbox insert: a change paused there holds no advisory lock', async () => {
    const { owner, versionId } = await ownerWithPrompt('audit-last.submit');

    await withTwoConnections(h.db.ownerUrl, async (blocker, observer) => {
      for (const step of ['submit', 'approve'] as const) {
        // The outbox insert of the change waits behind this lock, with every earlier statement of its transaction done.
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE outbox_events IN SHARE MODE');
        const answer = request(h.http).post(api(`/versions/${versionId}/${step}`)).set(owner.auth).send({}).then((r) => r);
        const paused = await until(`the ${step} to wait on the outbox insert`, async () => {
          const { rows } = await observer.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND (query LIKE 'WITH event AS (%INSERT INTO outbox_events%' OR query LIKE 'EXECUTE pg\\_%'
                     OR query LIKE 'WITH target AS (SELECT review_target(%')`);
          return rows[0] ?? null;
        });
        const held = await observer.query(`SELECT 1 FROM pg_locks WHERE pid = $1 AND locktype = 'advisory'`, [paused.pid]);
        expect(held.rows).toEqual([]);
        const entries = await observer.query(`SELECT 1 FROM audit_log WHERE resource_id = $1 AND action = $2`, [versionId, `version.${step === 'submit' ? 'submitted' : 'approved'}`]);
        expect(entries.rows).toEqual([]);
        await blocker.query('ROLLBACK');
        expect((await answer).status).toBe(200);
        const written = await observer.query(`SELECT 1 FROM audit_log WHERE resource_id = $1 AND action = $2`, [versionId, `version.${step === 'submit' ? 'submitted' : 'approved'}`]);
        expect(written.rows).toHaveLength(1);
      }
    });
  });

  it('writes every recorded entry in one statement after the body, sent with the COMMIT, then chains them as the verifier expects', async () => {
    const owner = await signup(h.http);
    const log = new StatementLog();
    const dataSource = await loggedDataSource(h.db.url, log);
    try {
      const entry = (action: string) => ({
        workspaceId: owner.workspaceId, action, resourceType: 'workspace', resourceId: owner.workspaceId, actorEmail: owner.user.email,
      });
      const answer = await new AuditTrail(dataSource).transaction(async ({ manager, audit }) => {
        audit(entry('test.first'));
        await manager.query(`SELECT 1 AS the_change`);
        // Sent as literals: quotes, backslashes and statement text in a value stay data.
        audit({ ...entry('test.second'), extra: { note: "it's \\ E'x'); COMMIT; DROP TABLE audit_log; --", 'é"': ['\t\n', 1e21] } });
        await manager.query(`SELECT 2 AS more_of_the_change`);
        return 'changed';
      });
      expect(answer).toBe('changed');
      const statements = log.statements;
      const at = (start: string) => statements.findIndex((s) => s.startsWith(start));
      expect(statements.slice(at('SELECT 2'))).toEqual([
        'SELECT 2 AS more_of_the_change',
        // Both entries in one pending row and the COMMIT in one message; no COMMIT of TypeORM's after it.
        expect.stringMatching(/^INSERT INTO audit_pending \(id, workspace_id, entries\) VALUES \('[0-9a-f-]{36}', '[0-9a-f-]{36}', E?'\[.*\]'::jsonb\); COMMIT$/),
        // Then the chain, a transaction of its own (a prepared statement: the logger sees its text).
        'SELECT audit_chain($1, NULL)',
      ]);
      expect(await h.asOwner(`SELECT count(*)::int AS n FROM audit_pending`)).toEqual([{ n: 0 }]);
      // The pool's one connection is back outside any transaction: two statements, two transactions, two start times.
      const [{ first }] = await dataSource.query(`SELECT transaction_timestamp() AS first`);
      await new Promise((r) => setTimeout(r, 5));
      const [{ second: next }] = await dataSource.query(`SELECT transaction_timestamp() AS second`);
      expect((next as Date).getTime()).toBeGreaterThan((first as Date).getTime());
      expect(at('SELECT 1 AS the_change')).toBeLessThan(at('INSERT INTO audit_pending'));
      expect(statements.filter((s) => s.includes('audit_pending'))).toHaveLength(1);
      const rows = await h.asOwner(`SELECT action, seq FROM audit_log WHERE workspace_id = $1 AND action LIKE 'test.%' ORDER BY seq`, [owner.workspaceId]);
      expect(rows).toEqual([{ action: 'test.first', seq: '6' }, { action: 'test.second', seq: '7' }]);
      const [second] = await h.asOwner(`SELECT extra FROM audit_log WHERE workspace_id = $1 AND action = 'test.second'`, [owner.workspaceId]);
      expect(second).toEqual({ extra: { note: "it's \\ E'x'); COMMIT; DROP TABLE audit_log; --", 'é"': ['\t\n', 1e21] } });
      const verify = await request(h.http).get(api(`/workspaces/${owner.workspaceId}/audit/verify`)).set(owner.auth).expect(200);
      expect(verify.body).toMatchObject({ ok: true, entries_checked: 7 });
    } finally {
      await dataSource.destroy();
    }
  });

  it('commits a change while its workspace chain is locked, holding no advisory lock itself; one chain waits, and chains every waiting change once the lock is free', async () => {
    const { owner, promptId } = await ownerWithPrompt('audit-last.chain');
    await withTwoConnections(h.db.ownerUrl, async (holder, observer) => {
      // The workspace's audit lock, held as a chain of another registry would hold it.
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('audit:' || $1::text, 0))`, [owner.workspaceId]);
      const answers = Array.from({ length: 5 }, (_, i) => request(h.http).post(api(`/prompts/${promptId}/versions`)).set(owner.auth)
        .send({ content: `Waiting ${i}.` }).then((r) => r));
      // Every change commits (its version and its pending entries are there) while its chain waits on the lock.
      await until('five proposals committed with their entries pending', async () => {
        const { rows } = await observer.query<{ versions: number; pending: number }>(
          `SELECT (SELECT count(*)::int FROM prompt_versions WHERE prompt_id = $1) AS versions,
                  (SELECT count(*)::int FROM audit_pending WHERE workspace_id = $2) AS pending`, [promptId, owner.workspaceId]);
        return rows[0].versions === 6 && rows[0].pending === 5 ? rows[0] : null;
      });
      const waiting = await observer.query<{ pid: number; query: string }>(
        `SELECT pid, query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`);
      // One chain of the workspace in flight in the registry, whatever the number of changes: the
      // others share the next one, holding no connection meanwhile.
      expect(waiting.rows).toHaveLength(1);
      expect(waiting.rows[0].query).toBe('SELECT audit_chain($1, NULL)');
      expect(await observer.query(`SELECT 1 FROM audit_log WHERE workspace_id = $1 AND action = 'version.created' AND resource_id IN (
        SELECT id::text FROM prompt_versions WHERE prompt_id = $2 AND version_num > 1)`, [owner.workspaceId, promptId]).then((r) => r.rows)).toEqual([]);
      await holder.query(`SELECT pg_advisory_unlock(hashtextextended('audit:' || $1::text, 0))`, [owner.workspaceId]);
      for (const answer of await Promise.all(answers)) expect(answer.status).toBe(201);
      const chained = await observer.query(`SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action = 'version.created'`, [owner.workspaceId]);
      expect(chained.rows).toEqual([{ n: 6 }]);
      expect((await observer.query(`SELECT count(*)::int AS n FROM audit_pending`)).rows).toEqual([{ n: 0 }]);
      const verify = await request(h.http).get(api(`/workspaces/${owner.workspaceId}/audit/verify`)).set(owner.auth).expect(200);
      expect(verify.body).toMatchObject({ ok: true });
    });
  });

  it('chains with nothing pending without the lock: a chain whose changes the one before it took returns while another holds the lock', async () => {
    const owner = await signup(h.http);
    const holder = new pg.Client({ connectionString: h.db.ownerUrl });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('audit:' || $1::text, 0))`, [owner.workspaceId]);
      expect(await h.asOwner(`SELECT count(*)::int AS n FROM audit_pending WHERE workspace_id = $1`, [owner.workspaceId])).toEqual([{ n: 0 }]);
      // Would wait on the lock (and time the test out) if it took it.
      await new AuditTrail(h.dataSource).chainPending(owner.workspaceId);
    } finally {
      await holder.end();
    }
  });

  it('chains entries left pending by a change whose chain call never ran, with the sweep, once', async () => {
    const owner = await signup(h.http);
    const trail = new AuditTrail(h.dataSource);
    // Plays a registry killed between its COMMIT and its chain: the change's pending row, committed, older than the sweep waits for.
    await h.asOwner(`INSERT INTO audit_pending (id, workspace_id, entries, created_at)
      VALUES (gen_random_uuid(), $1, $2::jsonb, now() - interval '1 minute')`, [owner.workspaceId, JSON.stringify([{
      action: 'test.left', resource_type: 'workspace', resource_id: owner.workspaceId, actor_email: null, extra: {},
      created_at: '2026-01-01T00:00:00.000Z',
      body: '{"action":"test.left","actor_email":null,"created_at":"2026-01-01T00:00:00.000Z","extra":{},'
        + `"resource_id":"${owner.workspaceId}","resource_type":"workspace"`,
    }])]);
    // This sweep, or the registry's own every second: either chains it, and only once.
    await h.app.get(AuditChainSweeper).sweep();
    expect(await h.asOwner(`SELECT count(*)::int AS n FROM audit_pending WHERE workspace_id = $1`, [owner.workspaceId])).toEqual([{ n: 0 }]);
    await trail.transaction(async ({ audit }) => {
      audit({ workspaceId: owner.workspaceId, action: 'test.after', resourceType: 'workspace', resourceId: null, actorEmail: null });
    });
    const rows = await h.asOwner(`SELECT action FROM audit_log WHERE workspace_id = $1 AND action LIKE 'test.%' ORDER BY seq`, [owner.workspaceId]);
    expect(rows).toEqual([{ action: 'test.left' }, { action: 'test.after' }]);
    const verify = await request(h.http).get(api(`/workspaces/${owner.workspaceId}/audit/verify`)).set(owner.auth).expect(200);
    expect(verify.body).toMatchObject({ ok: true });
  });

  it('cannot append early or late: an entry recorded after the body returned is refused, and a body that throws appends nothing', async () => {
    const owner = await signup(h.http);
    const trail = new AuditTrail(h.dataSource);
    const entry = { workspaceId: owner.workspaceId, action: 'test.late', resourceType: 'workspace', resourceId: null, actorEmail: null };
    let kept: ((e: typeof entry) => void) | undefined;
    await trail.transaction(async ({ audit }) => {
      kept = audit;
    });
    expect(() => kept!(entry)).toThrow(/before its transaction body returns/);
    await expect(trail.transaction(async ({ audit }) => {
      audit({ ...entry, action: 'test.thrown' });
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    const rows = await h.asOwner(`SELECT action FROM audit_log WHERE workspace_id = $1 AND action LIKE 'test.%'`, [owner.workspaceId]);
    expect(rows).toEqual([]);
  });
});
