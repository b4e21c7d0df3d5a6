/**
 * Audit verify benchmark (docs/BENCHMARKS.md): one workspace's chain seeded to 100,000 entries in
 * a throwaway database, the registry booted in-process, then another request's latency (sequential
 * keep-alive GET /me) idle and while verifies run back to back on a second connection, with each
 * verify's duration and the heap while it runs. Run: npm run build && node dist/bench/audit-verify.js
 */
import 'reflect-metadata';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { chainEntry, type ChainedAuditEntry } from '#domain';
import { dropDatabase, ensureDatabase, runMigrations } from '#persistence';
import { dropRedisNamespace } from '#runtime';
import { createRegistryApp } from '../apps/registry/src/app.factory.js';
import { type Figures, formatFigures, json, keepAliveAgent, measure, percentile, send } from './support/measure.js';
import { runBench, throwaway } from './support/throwaway.js';

const ENTRIES = 100_000;
const INSERT_BATCH = 5_000;
const TARGET_RATIO = 2;

/** Appends entries to the workspace's chain until it holds `total`, hashed as the registry hashes them. */
async function seedChain(db: pg.Client, workspaceId: string, total: number): Promise<void> {
  const [head] = (await db.query(
    `SELECT seq, integrity_hash FROM audit_log WHERE workspace_id = $1 ORDER BY seq DESC LIMIT 1`, [workspaceId])).rows as Array<{ seq: string; integrity_hash: string }>;
  let last: ChainedAuditEntry | { seq: number; integrity_hash: string } = { seq: Number(head.seq), integrity_hash: head.integrity_hash };
  const started = Date.UTC(2026, 0, 1);
  while (last.seq < total) {
    const batch: ChainedAuditEntry[] = [];
    while (batch.length < INSERT_BATCH && last.seq < total) {
      const i = last.seq + 1;
      const entry = chainEntry(last, {
        action: i % 3 ? 'version.created' : 'version.approved',
        resource_type: 'version',
        resource_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        actor_email: `writer${i % 20}@example.com`,
        extra: { prompt_key: `billing.prompt-${String(i % 20_000).padStart(5, '0')}`, version_num: i % 10 + 1 },
        created_at: new Date(started + i * 1000).toISOString(),
      });
      batch.push(entry);
      last = entry;
    }
    await db.query(
      `INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
       SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[], $10::timestamptz[])`,
      [workspaceId, batch.map((e) => e.seq), batch.map((e) => e.action), batch.map((e) => e.resource_type),
        batch.map((e) => e.resource_id), batch.map((e) => e.actor_email), batch.map((e) => JSON.stringify(e.extra)),
        batch.map((e) => e.prev_hash), batch.map((e) => e.integrity_hash), batch.map((e) => e.created_at)],
    );
  }
}

async function main(): Promise<void> {
  const { url, redisPrefix, registryConfig } = throwaway();
  const config = registryConfig();
  const db = new pg.Client({ connectionString: url });
  // The verify gets its own connection, so the timed requests never queue behind it on a socket.
  const verifyAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let app: Awaited<ReturnType<typeof createRegistryApp>> | undefined;
  let connected = false;
  try {
    await ensureDatabase(url);
    await runMigrations(url);
    await db.connect();
    connected = true;

    app = await createRegistryApp(config);
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/v1`;
    const signedUp = await json<{ access_token: string }>(send(`${base}/auth/signup`, {
      method: 'POST', body: { email: `bench.${randomBytes(4).toString('hex')}@example.com`, password: 'bench-password-123' },
    }), 201);
    const auth = { authorization: `Bearer ${signedUp.access_token}` };
    const me = await json<{ memberships: Array<{ workspace: { id: string } }> }>(send(`${base}/me`, { headers: auth }), 200);
    const workspaceId = me.memberships[0].workspace.id;

    const seedStarted = Date.now();
    await seedChain(db, workspaceId, ENTRIES);
    console.log(`seeded ${ENTRIES} audit entries in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

    const verifyUrl = `${base}/workspaces/${workspaceId}/audit/verify`;
    const verifyOnce = async (): Promise<number> => {
      const started = process.hrtime.bigint();
      const verdict = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http.get(verifyUrl, { agent: verifyAgent, headers: auth }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        }).on('error', reject);
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const body = JSON.parse(verdict.body) as { ok: boolean; entries_checked: number };
      if (verdict.status !== 200 || !body.ok || body.entries_checked !== ENTRIES) throw new Error(`verify answered ${verdict.status} ${verdict.body}`);
      return ms;
    };

    const alone: number[] = [];
    for (let i = 0; i < 3; i++) alone.push(await verifyOnce());
    const heapBefore = process.memoryUsage().heapUsed;

    const figures: Figures[] = [];
    figures.push(await measure('GET /me, idle', `${base}/me`, auth));

    let measuring = true;
    const during: number[] = [];
    let heapPeak = heapBefore;
    const sampler = setInterval(() => { heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed); }, 20);
    const verifies = (async () => {
      while (measuring) during.push(await verifyOnce());
    })();
    try {
      figures.push(await measure('GET /me, during a verify', `${base}/me`, auth, 30, 300));
    } finally {
      measuring = false;
      await verifies;
      clearInterval(sampler);
    }

    console.log(`\nsequential keep-alive requests, 30 warm-ups then 300 timed each\n${formatFigures(figures)}`);
    const ratio = figures[1].p50 / figures[0].p50;
    console.log(`\np50 during a verify / idle: ${ratio.toFixed(2)}x (target within ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'})`);
    alone.sort((a, b) => a - b);
    during.sort((a, b) => a - b);
    console.log(`verify of ${ENTRIES} entries alone: ${alone.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
      `during the timed requests: ${during.length} verifies, median ${percentile(during, 50).toFixed(0)} ms`);
    console.log(`heap used: ${(heapBefore / 2 ** 20).toFixed(1)} MB before, peak ${(heapPeak / 2 ** 20).toFixed(1)} MB while verifying`);
  } finally {
    keepAliveAgent.destroy();
    verifyAgent.destroy();
    await app?.close();
    if (connected) await db.end();
    await dropDatabase(url);
    await dropRedisNamespace(config.REDIS_URL, redisPrefix);
  }
}

runBench(main);
