import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { RequestEvalDto, toEvalRequest } from './dto/request-eval.dto.js';
import { EvalsService } from './evals.service.js';

@ApiTags('evals')
@ApiBearerAuth()
@Controller()
export class EvalsController {
  constructor(private readonly evals: EvalsService) {}

  @Post('versions/:id/evals')
  @HttpCode(202)
  request(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Body() body: RequestEvalDto) {
    return this.evals.requestEval(user, versionId, toEvalRequest(body));
  }

  @Get('versions/:id/evals')
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Pagination() page: PageRequest) {
    return this.evals.listForVersion(user.id, versionId, page);
  }

  @Get('evals/:id')
  get(@CurrentUser() user: AuthenticatedUser, @IdParam('id') evalId: string) {
    return this.evals.getEval(user.id, evalId);
  }
}
