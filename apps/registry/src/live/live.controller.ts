import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { LiveHistory, parseInstant } from './live-history.js';
import { ApiAnswer } from '../openapi/api-answers.js';
import { ApiErrors, FOUND } from '../openapi/error-response.js';

@ApiTags('review')
@ApiBearerAuth()
@Controller()
export class LiveController {
  constructor(private readonly history: LiveHistory) {}

  @Get('prompts/:id/live-at')
  @ApiOperation({ summary: 'What was live at an instant', description: 'Role: viewer. 404 when no version was live then.' })
  @ApiAnswer(200, 'LiveAt', 'The version live at that instant.')
  @ApiErrors(...FOUND)
  @ApiQuery({ name: 'at', required: true, description: 'An ISO-8601 instant; one without a zone is UTC.', schema: { type: 'string', example: '2025-01-07T14:23:00Z' } })
  liveAt(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Query('at') at: unknown) {
    return this.history.liveAt(user.id, promptId, parseInstant(at, 'at'));
  }
}
