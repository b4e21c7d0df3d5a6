import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { CreateEnvironmentDto, UpdateEnvironmentDto } from './dto/environment.dto.js';
import { EnvironmentsService } from './environments.service.js';

@ApiTags('environments')
@ApiBearerAuth()
@Controller()
export class EnvironmentsController {
  constructor(private readonly environments: EnvironmentsService) {}

  @Get('workspaces/:ws/environments')
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Pagination() page: PageRequest) {
    return this.environments.list(user.id, workspaceId, page);
  }

  @Post('workspaces/:ws/environments')
  async create(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Body() body: CreateEnvironmentDto) {
    return { environment: await this.environments.create(user, workspaceId, body) };
  }

  @Get('environments/:env')
  async get(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string) {
    return { environment: await this.environments.get(user.id, environmentId) };
  }

  @Patch('environments/:env')
  async update(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Body() body: UpdateEnvironmentDto) {
    return { environment: await this.environments.update(user, environmentId, body) };
  }
}
