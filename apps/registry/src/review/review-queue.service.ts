import { Injectable } from '@nestjs/common';
import { WorkspaceAccess } from '../access/workspace-access.js';
import type { Page, PageRequest } from '../common/pagination.js';
import { PromptsRepository } from '../prompts/prompts.repository.js';
import { peopleIdsOf, presentVersionSummary, type VersionSummaryView } from '../prompts/version.view.js';
import { ReviewQueueQuery, type ReviewQueueRow } from './review-queue.query.js';

/** An item of the review queue: the version as lists show it, with its prompt and environment. */
export type ReviewQueueItem = VersionSummaryView & { prompt: ReviewQueueRow['prompt']; environment: ReviewQueueRow['environment'] };

/** GET /workspaces/:ws/reviews: what waits for a reviewer across the workspace's environments. */
@Injectable()
export class ReviewQueueService {
  constructor(
    private readonly access: WorkspaceAccess,
    private readonly queue: ReviewQueueQuery,
    private readonly prompts: PromptsRepository,
  ) {}

  async list(userId: string, workspaceId: string, page: PageRequest): Promise<Page<ReviewQueueItem>> {
    await this.access.requireRole(userId, workspaceId, 'viewer');
    const rows = await this.queue.page(workspaceId, page);
    const versions = rows.items.map((r) => r.version);
    const evalById = await this.prompts.lastEvalsOf(versions);
    const people = await this.prompts.peopleOf(versions.flatMap(peopleIdsOf));
    return {
      items: rows.items.map((r) => ({
        ...presentVersionSummary(r.version, r.prompt.type, r.version.lastEvalId ? evalById.get(r.version.lastEvalId) ?? null : null, people),
        prompt: r.prompt,
        environment: r.environment,
      })),
      next_cursor: rows.next_cursor,
    };
  }
}
