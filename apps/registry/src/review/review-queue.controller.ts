import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND } from '../openapi/error-response.js';
import { ReviewQueueService } from './review-queue.service.js';

@ApiTags('review')
@ApiBearerAuth()
@Controller()
export class ReviewQueueController {
  constructor(private readonly queue: ReviewQueueService) {}

  @Get('workspaces/:ws/reviews')
  @ApiOperation({
    summary: 'List the versions pending review',
    description: 'Role: viewer. Every environment of the workspace; oldest submission first, so the change that has waited longest comes first.',
  })
  @ApiPage('ReviewQueueItem', 'Versions in pending_review, oldest submission first, each with its prompt and environment.')
  @ApiErrors(...FOUND)
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Pagination() page: PageRequest) {
    return this.queue.list(user.id, workspaceId, page);
  }
}
