import type { ModelConfig, PromptMessage } from '#domain';
import type { PromptEntity } from '#persistence';
import type { PromptListRow } from './prompt-list.query.js';

/** The live version as a prompt shows it; null until a version goes live. */
export interface LiveVersionOfPrompt {
  id: string;
  versionNum: number;
  content: string | null;
  messages: PromptMessage[] | null;
  config: ModelConfig;
  liveFrom: Date;
}

/** A prompt as GET /prompts/:id and GET /environments/:env/prompts/by-key/:key answer it. */
export function presentPrompt(p: PromptEntity, live: LiveVersionOfPrompt | null) {
  return {
    id: p.id,
    key: p.key,
    type: p.type,
    workspace_id: p.workspaceId,
    environment_id: p.environmentId,
    description: p.description,
    live_version: live
      ? {
          id: live.id, version_num: live.versionNum, content: live.content, messages: live.messages, config: live.config,
          live_from: live.liveFrom.toISOString(),
        }
      : null,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
export type PromptView = ReturnType<typeof presentPrompt>;

export function presentPromptListItem(r: PromptListRow) {
  return {
    id: r.id,
    key: r.key,
    type: r.type,
    description: r.description,
    live_version: r.live_id !== null ? { id: r.live_id, version_num: r.live_num as number } : null,
    versions_count: r.versions_count,
    pending_count: r.pending_count,
    updated_at: r.updated_at.toISOString(),
  };
}
export type PromptListItem = ReturnType<typeof presentPromptListItem>;
