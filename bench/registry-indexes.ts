/**
 * Registry index benchmark (docs/BENCHMARKS.md): 100,000 audit entries and 20,000 prompts seeded
 * into a throwaway database, then the statements the registry issues for an actor filter, an old
 * from/to window and a search, each EXPLAIN ANALYZEd with the new indexes and, in the same run, as
 * before them (inside a rolled-back transaction that drops the new indexes and restores the old
 * one; the window also in the statement shape of the previous commit).
 * Run: npm run build && node dist/bench/registry-indexes.js
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropDatabase, ensureDatabase, runMigrations } from '#persistence';
import { AuditRepository, type AuditFilter } from '../apps/registry/src/audit/audit.repository.js';
import { promptListSql } from '../apps/registry/src/prompts/prompt-list.query.js';
import { databaseUrl } from './support/measure.js';
import {
  ACTORS, AUDIT_ENTRIES, AUDIT_EPOCH, type IssuedStatement, PROMPTS, recordingManager, seedIndexFixtures,
} from './support/seed-indexes.js';
import { runBench } from './support/throwaway.js';

const RUNS = 25;
const TARGET_MS = 5;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The schema before the migration SearchAndFilterIndexes1764500000000. */
const BEFORE_INDEXES = [
  'DROP INDEX audit_log_workspace_actor_idx',
  'DROP INDEX audit_log_workspace_created_seq_idx',
  'CREATE INDEX audit_log_workspace_created_idx ON audit_log (workspace_id, created_at DESC)',
  'DROP INDEX prompts_key_trgm_idx',
  'DROP INDEX prompts_description_trgm_idx',
];

interface Timing {
  median: number;
  p95: number;
  plan: string;
}

async function explain(client: pg.Client, { sql, params }: IssuedStatement): Promise<Timing> {
  const times: number[] = [];
  let plan = '';
  for (let i = 0; i < RUNS; i++) {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    const lines = rows.map((r) => r['QUERY PLAN']);
    const exec = lines.find((l) => l.startsWith('Execution Time:'))!;
    times.push(Number(/([\d.]+) ms/.exec(exec)![1]));
    plan = lines.join('\n');
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(RUNS / 2)], p95: times[Math.ceil(RUNS * 0.95) - 1], plan };
}

async function main(): Promise<void> {
  const url = databaseUrl(`promptgate_bench_${randomBytes(5).toString('hex')}`);
  const client = new pg.Client({ connectionString: url });
  let connected = false;
  try {
    await ensureDatabase(url);
    await runMigrations(url);
    await client.connect();
    connected = true;
    const seedStarted = Date.now();
    const { workspaceId, environmentId } = await seedIndexFixtures(client);
    console.log(`seeded ${AUDIT_ENTRIES} audit entries (9 in 10 in the listed workspace, ${ACTORS} actors) and ` +
      `${PROMPTS} prompts in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s; EXPLAIN ANALYZE ${RUNS} times each`);

    const audit = async (filter: AuditFilter): Promise<IssuedStatement> => {
      const issued: IssuedStatement[] = [];
      await new AuditRepository().list(recordingManager(client, issued), workspaceId, filter, { limit: 50, cursor: null }, (r) => r);
      return issued[0];
    };
    const window = { from: new Date(AUDIT_EPOCH + DAY_MS), to: new Date(AUDIT_EPOCH + 2 * DAY_MS) };
    const search = (term: string): IssuedStatement => promptListSql({ environmentId, search: term, after: null, limit: 50 });
    const cases: Array<{ title: string; now: IssuedStatement; before?: IssuedStatement }> = [
      { title: 'audit, actor with no match', now: await audit({ actorEmail: 'nobody@example.com' }) },
      { title: 'audit, actor with 1 in 20 entries', now: await audit({ actorEmail: 'user7@example.com' }) },
      {
        title: 'audit, one-day from/to window 2 months old',
        now: await audit(window),
        before: {
          sql: `SELECT seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at
                  FROM audit_log WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY seq DESC LIMIT $4`,
          params: [workspaceId, window.from, window.to, 51],
        },
      },
      { title: 'prompts, search "prompt-04321" (1 match)', now: search('prompt-04321') },
      { title: 'prompts, search "no-such-term" (no match)', now: search('no-such-term') },
      { title: 'prompts, search "refund" (1 in 4 match)', now: search('refund') },
    ];

    const rows: string[] = [];
    const plans: string[] = [];
    for (const c of cases) {
      const now = await explain(client, c.now);
      await client.query('BEGIN');
      let before: Timing;
      try {
        for (const statement of BEFORE_INDEXES) await client.query(statement);
        await client.query('ANALYZE audit_log');
        await client.query('ANALYZE prompts');
        before = await explain(client, c.before ?? c.now);
      } finally {
        await client.query('ROLLBACK');
      }
      rows.push(`${c.title.padEnd(46)} ${before.median.toFixed(2).padStart(8)} ${before.p95.toFixed(2).padStart(8)}` +
        ` ${now.median.toFixed(2).padStart(8)} ${now.p95.toFixed(2).padStart(8)}  ${now.p95 < TARGET_MS ? 'met' : 'MISSED'}`);
      plans.push(`\n${c.title}, with the indexes:\n${now.plan}\n\n${c.title}, before:\n${before.plan}`);
    }
    console.log(`\nexecution time, ms (EXPLAIN ANALYZE)       before: median      p95   after: median      p95  target p95 < ${TARGET_MS} ms`);
    console.log(rows.join('\n'));
    console.log(plans.join('\n'));
  } finally {
    if (connected) await client.end();
    await dropDatabase(url);
  }
}

runBench(main);
