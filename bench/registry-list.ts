/**
 * Registry list benchmark (docs/BENCHMARKS.md): 10,000 prompts with 10 versions each in one
 * environment of a throwaway database, the registry booted in-process, then sequential keep-alive
 * requests timed for the list's first page, searches, a third page and a diff, with the list
 * query's plan. Run: npm run bench:registry-list
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { dropDatabase, ensureDatabase, runMigrations } from '#persistence';
import { dropRedisNamespace } from '#runtime';
import { createRegistryApp } from '../apps/registry/src/app.factory.js';
import { promptListSql } from '../apps/registry/src/prompts/prompt-list.query.js';
import { type Figures, formatFigures, json, keepAliveAgent, measure, send } from './support/measure.js';
import { seedPrompts } from './support/seed-prompts.js';
import { runBench, throwaway } from './support/throwaway.js';

const PROMPTS = 10_000;
const VERSIONS_PER_PROMPT = 10;
const TARGET_P95_MS = 50;

async function main(): Promise<void> {
  const { url, redisPrefix, registryConfig } = throwaway();
  const config = registryConfig();
  const db = new pg.Client({ connectionString: url });
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

    const signedUp = await json<{ user: { id: string }; access_token: string }>(send(`${base}/auth/signup`, {
      method: 'POST', body: { email: `bench.${randomBytes(4).toString('hex')}@example.com`, password: 'bench-password-123' },
    }), 201);
    const auth = { authorization: `Bearer ${signedUp.access_token}` };
    const me = await json<{ memberships: Array<{ workspace: { id: string } }> }>(send(`${base}/me`, { headers: auth }), 200);
    const workspaceId = me.memberships[0].workspace.id;
    const environments = await json<{ items: Array<{ id: string; name: string }> }>(
      send(`${base}/workspaces/${workspaceId}/environments`, { headers: auth }), 200);
    const environmentId = environments.items.find((e) => e.name === 'development')!.id;

    const seedStarted = Date.now();
    await seedPrompts(db, { workspaceId, environmentId, userId: signedUp.user.id, prompts: PROMPTS, versionsPerPrompt: VERSIONS_PER_PROMPT });
    const [sizes] = (await db.query(
      `SELECT count(*)::int AS versions, round(avg(length(content)))::int AS avg_content,
              count(*) FILTER (WHERE status = 'pending_review')::int AS pending,
              (SELECT count(*)::int FROM prompts WHERE live_version_id IS NOT NULL) AS live
         FROM prompt_versions`)).rows;
    console.log(`seeded ${PROMPTS} prompts, ${sizes.versions} versions (content ~${sizes.avg_content} chars, ` +
      `${sizes.live} prompts live, ${sizes.pending} versions pending) in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

    const list = `${base}/environments/${environmentId}/prompts`;
    const page1 = await json<{ items: unknown[]; next_cursor: string }>(send(list, { headers: auth }), 200);
    const page2 = await json<{ next_cursor: string }>(send(`${list}?cursor=${page1.next_cursor}`, { headers: auth }), 200);
    const [diffVersion] = (await db.query(
      `SELECT id, length(content) AS size FROM prompt_versions WHERE id = md5('v1-9')::uuid`)).rows as Array<{ id: string; size: number }>;

    const figures: Figures[] = [];
    figures.push(await measure(`list, first page (limit ${page1.items.length})`, list, auth));
    figures.push(await measure('list, search "refund" (1 in 8 match)', `${list}?search=refund`, auth));
    figures.push(await measure('list, search "prompt-04321" (1 match)', `${list}?search=prompt-04321`, auth));
    figures.push(await measure('list, third page by cursor', `${list}?cursor=${page2.next_cursor}`, auth));
    figures.push(await measure(`diff of a ${diffVersion.size}-char version`, `${base}/versions/${diffVersion.id}/diff`, auth));
    console.log(`\nsequential keep-alive requests, 30 warm-ups then 300 timed each\n${formatFigures(figures)}`);
    const first = figures[0];
    console.log(`\ntarget: first page p95 under ${TARGET_P95_MS} ms: ${first.p95 < TARGET_P95_MS ? 'met' : 'MISSED'} (${first.p95.toFixed(2)} ms)`);

    for (const [title, search] of [['first page', null], ['search, 1 match', 'prompt-04321']] as const) {
      const { sql, params } = promptListSql({ environmentId, search, after: null, limit: 50 });
      const plan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']);
      console.log(`\nEXPLAIN ANALYZE, list query, ${title}:\n${plan.join('\n')}`);
    }
  } finally {
    keepAliveAgent.destroy();
    await app?.close();
    if (connected) await db.end();
    await dropDatabase(url);
    await dropRedisNamespace(config.REDIS_URL, redisPrefix);
  }
}

runBench(main);
