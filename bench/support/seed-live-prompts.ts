import type pg from 'pg';
import type { LiveSnapshot } from '#contracts';

export interface LivePromptSeed {
  workspaceId: string;
  environmentId: string;
  userId: string;
  prompts: number;
  /** Keys are `${prefix}${00000 + i}`. */
  prefix: string;
}

/**
 * Seeds `prompts` prompts in one environment, each with one approved, live version of ~1 KB (ten
 * lines, made distinct by an md5), in two set-based statements; returns the live snapshots the
 * registry's outbox would have carried for them, for the caller to publish as the registry does.
 */
export async function seedLivePrompts(client: pg.Client, s: LivePromptSeed): Promise<LiveSnapshot[]> {
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO prompts (id, workspace_id, environment_id, key, description, live_version_id, last_version_num)
       SELECT md5('lp' || i)::uuid, $1, $2, $3 || lpad(i::text, 5, '0'), 'mix prompt ' || i, md5('lv' || i)::uuid, 1
         FROM generate_series(1, $4::int) AS i`,
      [s.workspaceId, s.environmentId, s.prefix, s.prompts],
    );
    await client.query(
      `INSERT INTO prompt_versions (id, prompt_id, version_num, status, content, commit_message, proposed_by, approved_by, live_from, submitted_at, reviewed_at)
       SELECT md5('lv' || i)::uuid, md5('lp' || i)::uuid, 1, 'approved',
              (SELECT string_agg(format('Rule %s: answer politely, cite the policy section, keep it short. %s', l, md5(i::text || l)), E'\\n')
                 FROM generate_series(1, 10) AS l),
              'seeded', $1, $1, now(), now(), now()
         FROM generate_series(1, $2::int) AS i`,
      [s.userId, s.prompts],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
  await client.query('VACUUM ANALYZE prompts');
  await client.query('VACUUM ANALYZE prompt_versions');
  const { rows } = await client.query<{ prompt_id: string; key: string; version_id: string; content: string; live_from: Date }>(
    `SELECT p.id AS prompt_id, p.key, v.id AS version_id, v.content, v.live_from
       FROM prompts p JOIN prompt_versions v ON v.id = p.live_version_id
      WHERE p.environment_id = $1 AND p.key LIKE $2 || '%'`,
    [s.environmentId, s.prefix],
  );
  return rows.map((r) => ({
    v: 1, prompt_id: r.prompt_id, environment_id: s.environmentId, key: r.key, version_id: r.version_id, version_num: 1,
    type: 'text', content: r.content, messages: null, config: {}, live_from: r.live_from.toISOString(),
  }));
}
