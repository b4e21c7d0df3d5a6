import type pg from 'pg';

export interface PromptSeed {
  workspaceId: string;
  environmentId: string;
  userId: string;
  prompts: number;
  versionsPerPrompt: number;
}

const TEAMS = ['billing', 'refunds', 'onboarding', 'support', 'sales', 'legal', 'search', 'agents'];

/**
 * Seeds prompts and versions with a few set-based statements in one transaction. Ids are md5-derived
 * so a version can name its base without a second pass. Per prompt: the second-to-last version is
 * live over archived ones with contiguous live ranges, one is rejected, the last is a draft (in
 * review for every 25th prompt); every 10th prompt never went live and has only drafts.
 * Contents are ~1.6 KB of 16 lines, a quarter of which change from one version to the next.
 */
export async function seedPrompts(client: pg.Client, s: PromptSeed): Promise<void> {
  const last = s.versionsPerPrompt;
  const live = last - 2;
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO prompts (id, workspace_id, environment_id, key, description, live_version_id, last_version_num, created_at, updated_at)
       SELECT md5('p' || i)::uuid, $1, $2,
              format('%s.prompt-%s', ($3::text[])[1 + i % array_length($3::text[], 1)], lpad(i::text, 5, '0')),
              format('Prompt %s of the %s team', i, ($3::text[])[1 + i % array_length($3::text[], 1)]),
              CASE WHEN i % 10 = 0 THEN NULL ELSE md5('v' || i || '-' || $5::int)::uuid END,
              $4, now() - interval '30 days', now() - make_interval(secs => i * 37.123457)
         FROM generate_series(1, $6::int) AS i`,
      [s.workspaceId, s.environmentId, TEAMS, last, live, s.prompts],
    );
    await client.query(
      `INSERT INTO prompt_versions (id, prompt_id, version_num, status, content, parent_content, base_version_id,
                                    commit_message, proposed_by, approved_by, live_from, live_until, created_at, submitted_at)
       SELECT md5('v' || i || '-' || v)::uuid, md5('p' || i)::uuid, v,
              CASE WHEN i % 10 = 0 THEN 'draft'
                   WHEN v < $3 THEN 'archived'
                   WHEN v = $3 THEN 'approved'
                   WHEN v < $4 THEN 'rejected'
                   WHEN i % 25 = 0 THEN 'pending_review'
                   ELSE 'draft' END,
              content.body, parent.body,
              CASE WHEN v > 1 AND i % 10 <> 0 THEN md5('v' || i || '-' || least(v - 1, $3))::uuid END,
              format('Revision %s', v), $1, CASE WHEN i % 10 <> 0 AND v <= $3 THEN $1::uuid END,
              CASE WHEN i % 10 <> 0 AND v <= $3 THEN t0 + make_interval(days => v) END,
              CASE WHEN i % 10 <> 0 AND v < $3 THEN t0 + make_interval(days => v + 1) END,
              t0 + make_interval(days => v) - interval '1 hour',
              CASE WHEN i % 10 <> 0 AND (v < $4 OR i % 25 = 0) THEN t0 + make_interval(days => v) - interval '30 minutes' END
         FROM generate_series(1, $2::int) AS i
        CROSS JOIN generate_series(1, $4::int) AS v
        CROSS JOIN LATERAL (SELECT now() - interval '30 days' AS t0) AS clock
        CROSS JOIN LATERAL (SELECT string_agg(
                 format('Rule %s (rev %s): answer politely, cite the policy, keep it short. %s',
                        l, CASE WHEN l % 4 = 0 THEN v ELSE 1 END, md5(i::text || l)), E'\\n') AS body
               FROM generate_series(1, 16) AS l) AS content
        CROSS JOIN LATERAL (SELECT CASE WHEN v = 1 OR i % 10 = 0 THEN NULL ELSE string_agg(
                 format('Rule %s (rev %s): answer politely, cite the policy, keep it short. %s',
                        l, CASE WHEN l % 4 = 0 THEN least(v - 1, $3) ELSE 1 END, md5(i::text || l)), E'\\n') END AS body
               FROM generate_series(1, 16) AS l) AS parent`,
      [s.userId, s.prompts, live, last],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
  await client.query('VACUUM ANALYZE prompts');
  await client.query('VACUUM ANALYZE prompt_versions');
}
