import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { RequestEvalDto, toEvalRequest } from './dto/request-eval.dto.js';
import { EvalsService } from './evals.service.js';
import { ApiAnswer, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('evals')
@ApiBearerAuth()
@Controller()
export class EvalsController {
  constructor(private readonly evals: EvalsService) {}

  @Post('versions/:id/evals')
  @ApiOperation({ summary: 'Request an evaluation', description: 'Role: editor. A rules eval, or a judge eval with a provider and the request\'s api_key or the workspace\'s saved key.' })
  @ApiAnswer(202, 'EvalQueued', 'Recorded and queued.')
  @ApiErrors(...FOUND_WITH_ROLE, 'provider_key_missing', 'provider_key_unreadable', 'queue_unavailable')
  @HttpCode(202)
  request(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Body() body: RequestEvalDto) {
    return this.evals.requestEval(user, versionId, toEvalRequest(body));
  }

  @Get('versions/:id/evals')
  @ApiOperation({ summary: 'List a version\'s evaluations', description: 'Role: viewer.' })
  @ApiPage('Eval', 'The version\'s evals, newest first.')
  @ApiErrors(...FOUND)
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Pagination() page: PageRequest) {
    return this.evals.listForVersion(user.id, versionId, page);
  }

  @Get('evals/:id')
  @ApiOperation({ summary: 'Get an evaluation', description: 'Role: viewer.' })
  @ApiAnswer(200, 'Eval', 'The eval.')
  @ApiErrors(...FOUND)
  get(@CurrentUser() user: AuthenticatedUser, @IdParam('id') evalId: string) {
    return this.evals.getEval(user.id, evalId);
  }
}
