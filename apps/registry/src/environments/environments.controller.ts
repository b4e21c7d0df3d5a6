import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { CreateEnvironmentDto, UpdateEnvironmentDto } from './dto/environment.dto.js';
import { EnvironmentsService } from './environments.service.js';
import { ApiAnswer, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('environments')
@ApiBearerAuth()
@Controller()
export class EnvironmentsController {
  constructor(private readonly environments: EnvironmentsService) {}

  @Get('workspaces/:ws/environments')
  @ApiOperation({ summary: 'List environments', description: 'Role: viewer.' })
  @ApiPage('Environment', 'The workspace\'s environments, oldest first.')
  @ApiErrors(...FOUND)
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Pagination() page: PageRequest) {
    return this.environments.list(user.id, workspaceId, page);
  }

  @Post('workspaces/:ws/environments')
  @ApiOperation({ summary: 'Create an environment', description: 'Role: admin. require_review starts equal to is_protected.' })
  @ApiAnswer(201, 'EnvironmentAnswer', 'The new environment.')
  @ApiErrors(...FOUND_WITH_ROLE, 'conflict')
  async create(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Body() body: CreateEnvironmentDto) {
    return { environment: await this.environments.create(user, workspaceId, body) };
  }

  @Get('environments/:env')
  @ApiOperation({ summary: 'Get an environment', description: 'Role: viewer.' })
  @ApiAnswer(200, 'EnvironmentAnswer', 'The environment.')
  @ApiErrors(...FOUND)
  async get(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string) {
    return { environment: await this.environments.get(user.id, environmentId) };
  }

  @Patch('environments/:env')
  @ApiOperation({ summary: 'Change an environment\'s gates', description: 'Role: admin. Protection, four eyes (require_review), the eval gate and its judge, the test gate (tests_required, max_regressions).' })
  @ApiAnswer(200, 'EnvironmentAnswer', 'The environment as changed.')
  @ApiErrors(...FOUND_WITH_ROLE)
  async update(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Body() body: UpdateEnvironmentDto) {
    return { environment: await this.environments.update(user, environmentId, body) };
  }
}
