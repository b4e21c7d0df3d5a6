import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ApiAnswer, ApiNoContent, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND, FOUND_WITH_ROLE } from '../openapi/error-response.js';
import { CreateTestCaseDto, UpdateTestCaseDto } from './dto/test-case.dto.js';
import { TestCasesService } from './test-cases.service.js';

@ApiTags('test-cases')
@ApiBearerAuth()
@Controller()
export class TestCasesController {
  constructor(private readonly testCases: TestCasesService) {}

  @Post('prompts/:id/test-cases')
  @ApiOperation({ summary: 'Add a test case', description: 'Role: editor. At most 200 per prompt.' })
  @ApiAnswer(201, 'TestCaseAnswer', 'The new test case.')
  @ApiErrors(...FOUND_WITH_ROLE, 'conflict', 'too_many_test_cases')
  async create(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Body() body: CreateTestCaseDto) {
    return { test_case: await this.testCases.create(user, promptId, { ...body }) };
  }

  @Get('prompts/:id/test-cases')
  @ApiOperation({ summary: 'List a prompt\'s test cases', description: 'Role: viewer.' })
  @ApiPage('TestCase', 'The prompt\'s test cases, in name order.')
  @ApiErrors(...FOUND)
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Pagination() page: PageRequest) {
    return this.testCases.list(user.id, promptId, page);
  }

  @Patch('test-cases/:id')
  @ApiOperation({ summary: 'Change a test case', description: 'Role: editor. Only the fields present change.' })
  @ApiAnswer(200, 'TestCaseAnswer', 'The test case as changed.')
  @ApiErrors(...FOUND_WITH_ROLE, 'conflict')
  async update(@CurrentUser() user: AuthenticatedUser, @IdParam('id') testCaseId: string, @Body() body: UpdateTestCaseDto) {
    return { test_case: await this.testCases.update(user, testCaseId, { ...body }) };
  }

  @Delete('test-cases/:id')
  @ApiOperation({ summary: 'Delete a test case', description: 'Role: editor.' })
  @ApiNoContent('Deleted.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthenticatedUser, @IdParam('id') testCaseId: string): Promise<void> {
    await this.testCases.remove(user, testCaseId);
  }
}
