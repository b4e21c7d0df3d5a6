import type { EntityManager } from 'typeorm';
import type pg from 'pg';

export const AUDIT_ENTRIES = 100_000;
export const PROMPTS = 20_000;
/** The seeded entries start here, one minute apart, so a window's age is known. */
export const AUDIT_EPOCH = Date.UTC(2026, 0, 1);
export const ACTORS = 20;

/**
 * Seeds, as the owner, `AUDIT_ENTRIES` audit entries split nine to one between two workspaces (one
 * a minute, ACTORS actors round-robin) and `PROMPTS` prompts in one environment of the first, whose
 * keys and descriptions are distinct; then ANALYZE, so the planner sees the real sizes.
 */
export async function seedIndexFixtures(client: pg.Client): Promise<{ workspaceId: string; environmentId: string }> {
  const { rows: [ws] } = await client.query<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('indexes') RETURNING id`);
  const { rows: [other] } = await client.query<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('other') RETURNING id`);
  const { rows: [env] } = await client.query<{ id: string }>(
    `INSERT INTO environments (workspace_id, name) VALUES ($1, 'development') RETURNING id`, [ws.id]);
  await client.query(
    `INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
     SELECT CASE WHEN i % 10 = 0 THEN $2::uuid ELSE $1::uuid END,
            CASE WHEN i % 10 = 0 THEN i / 10 ELSE i - i / 10 END,
            'prompt.updated', 'prompt', md5('r' || i), format('user%s@example.com', i % $4::int), '{}',
            md5('p' || i) || md5('q' || i), md5('h' || i) || md5('i' || i),
            to_timestamp($5::double precision / 1000) + make_interval(mins => i)
       FROM generate_series(1, $3::int) AS i`,
    [ws.id, other.id, AUDIT_ENTRIES, ACTORS, AUDIT_EPOCH],
  );
  await client.query(
    `INSERT INTO prompts (workspace_id, environment_id, key, description, updated_at)
     SELECT $1, $2, format('team-%s.prompt-%s', i % 8, lpad(i::text, 5, '0')),
            format('Prompt %s answering %s questions', i, (ARRAY['billing', 'refund', 'shipping', 'account'])[1 + i % 4]),
            now() - make_interval(secs => i)
       FROM generate_series(1, $3::int) AS i`,
    [ws.id, env.id, PROMPTS],
  );
  await client.query(`VACUUM ANALYZE audit_log`);
  await client.query(`VACUUM ANALYZE prompts`);
  return { workspaceId: ws.id, environmentId: env.id };
}

export interface IssuedStatement {
  sql: string;
  params: unknown[];
}

/**
 * An EntityManager for a repository method that runs each statement on `client` and records it,
 * so the very SQL the registry issues can be EXPLAINed with its parameters.
 */
export function recordingManager(client: pg.Client, issued: IssuedStatement[]): EntityManager {
  return {
    query: async (sql: string, params: unknown[]) => {
      issued.push({ sql, params });
      return (await client.query(sql, params)).rows;
    },
  } as unknown as EntityManager;
}
