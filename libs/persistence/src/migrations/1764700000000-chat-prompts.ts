import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat prompts and model configuration (API.md, "Prompt types, chat messages and model
 * configuration"). A prompt's `type` is fixed at creation; existing prompts are `text`. A version
 * holds `content` (text) or `messages` (chat), never both, and a `config` object; existing versions
 * get `{}`. `parent_messages` / `parent_config` are the base's copies that diffs compare against.
 * The gateway's `GET /v1/prompts` pages through an environment's live prompts in byte order of
 * their keys: an index in that order (COLLATE "C") makes each page a range scan.
 */
export class ChatPrompts1764700000000 implements MigrationInterface {
  name = 'ChatPrompts1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE prompts ADD COLUMN type text NOT NULL DEFAULT 'text'
                     CONSTRAINT prompts_type_check CHECK (type IN ('text', 'chat'))`);
    await q.query(`ALTER TABLE prompt_versions
                     ALTER COLUMN content DROP NOT NULL,
                     ADD COLUMN messages jsonb,
                     ADD COLUMN config jsonb NOT NULL DEFAULT '{}'::jsonb,
                     ADD COLUMN parent_messages jsonb,
                     ADD COLUMN parent_config jsonb,
                     ADD CONSTRAINT prompt_versions_body_check CHECK ((content IS NULL) <> (messages IS NULL)),
                     ADD CONSTRAINT prompt_versions_messages_check CHECK (messages IS NULL OR jsonb_typeof(messages) = 'array'),
                     ADD CONSTRAINT prompt_versions_config_check CHECK (jsonb_typeof(config) = 'object')`);
    await q.query(`CREATE INDEX prompts_env_live_key_c_idx ON prompts (environment_id, key COLLATE "C") WHERE live_version_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS prompts_env_live_key_c_idx`);
    await q.query(`DELETE FROM prompt_versions WHERE messages IS NOT NULL`);
    await q.query(`ALTER TABLE prompt_versions
                     DROP CONSTRAINT prompt_versions_config_check,
                     DROP CONSTRAINT prompt_versions_messages_check,
                     DROP CONSTRAINT prompt_versions_body_check,
                     DROP COLUMN parent_config,
                     DROP COLUMN parent_messages,
                     DROP COLUMN config,
                     DROP COLUMN messages,
                     ALTER COLUMN content SET NOT NULL`);
    await q.query(`ALTER TABLE prompts DROP COLUMN type`);
  }
}
