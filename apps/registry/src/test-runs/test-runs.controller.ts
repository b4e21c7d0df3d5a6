import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ApiAnswer, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND, FOUND_WITH_ROLE } from '../openapi/error-response.js';
import { RequestTestRunDto, toTestRunRequest } from './dto/request-test-run.dto.js';
import { TestRunsService } from './test-runs.service.js';

@ApiTags('test-runs')
@ApiBearerAuth()
@Controller()
export class TestRunsController {
  constructor(private readonly runs: TestRunsService) {}

  @Post('versions/:id/test-runs')
  @ApiOperation({
    summary: 'Start a test run',
    description: 'Role: editor. Answers each of the prompt\'s test cases with this version (and the baseline), checks the assertions and has the judge compare the answers. '
      + 'Checked in order: role, no_test_cases, model_unspecified, provider_key_missing (the answering provider, then the judge\'s); a baseline_version_id of another prompt is 400.',
  })
  @ApiAnswer(202, 'TestRunQueued', 'Recorded and queued.')
  @ApiErrors(...FOUND_WITH_ROLE, 'no_test_cases', 'model_unspecified', 'provider_key_missing', 'provider_key_unreadable', 'queue_unavailable')
  @HttpCode(202)
  request(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Body() body: RequestTestRunDto) {
    return this.runs.requestRun(user, versionId, toTestRunRequest(body));
  }

  @Get('versions/:id/test-runs')
  @ApiOperation({ summary: 'List a version\'s test runs', description: 'Role: viewer. Without results.' })
  @ApiPage('TestRunSummary', 'The version\'s test runs, newest first.')
  @ApiErrors(...FOUND)
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string, @Pagination() page: PageRequest) {
    return this.runs.listForVersion(user.id, versionId, page);
  }

  @Get('test-runs/:id')
  @ApiOperation({ summary: 'Get a test run', description: 'Role: viewer. With each case\'s result, in the case\'s order.' })
  @ApiAnswer(200, 'TestRun', 'The test run.')
  @ApiErrors(...FOUND)
  get(@CurrentUser() user: AuthenticatedUser, @IdParam('id') runId: string) {
    return this.runs.getRun(user.id, runId);
  }
}
