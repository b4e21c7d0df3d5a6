import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError, type ModelConfig, type PromptMessage } from '#domain';
import { PromptsRepository } from '../prompts/prompts.repository.js';
import { PromptsService } from '../prompts/prompts.service.js';

export interface LiveAtView {
  version_id: string;
  version_num: number;
  content: string | null;
  messages: PromptMessage[] | null;
  config: ModelConfig;
  live_from: string;
  live_until: string | null;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An ISO-8601 instant from a query string; one without a zone is UTC, as every time in the API is. */
export function parseInstant(raw: unknown, field: string): Date {
  const refuse = () => new ValidationError(`${field} must be an ISO-8601 timestamp.`, [{ field, messages: [`${field} must be an ISO-8601 timestamp`] }]);
  if (typeof raw !== 'string' || !INSTANT.test(raw)) throw refuse();
  const zoned = /T.*(Z|[+-]\d{2}:?\d{2})$/i.test(raw) || !raw.includes('T') ? raw : `${raw}Z`;
  const at = new Date(zoned);
  if (Number.isNaN(at.getTime())) throw refuse();
  return at;
}

/** "What was live at T": versions form a linear history of [live_from, live_until) ranges. */
@Injectable()
export class LiveHistory {
  constructor(
    private readonly prompts: PromptsService,
    private readonly versions: PromptsRepository,
  ) {}

  async liveAt(userId: string, promptId: string, at: Date): Promise<LiveAtView> {
    await this.prompts.loadPromptForUser(userId, promptId, 'viewer');
    const row = await this.versions.findLiveAt(promptId, at);
    if (!row) throw new NotFoundError('Live version at that instant');
    return {
      version_id: row.id,
      version_num: row.version_num,
      content: row.content,
      messages: row.messages,
      config: row.config,
      live_from: row.live_from.toISOString(),
      live_until: row.live_until ? row.live_until.toISOString() : null,
    };
  }
}
