import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { AddMemberDto, ChangeMemberRoleDto, CreateWorkspaceDto } from './dto/workspace.dto.js';
import { MembersService } from './members.service.js';
import { WorkspacesService } from './workspaces.service.js';

@ApiTags('workspaces')
@ApiBearerAuth()
@Controller('workspaces')
export class WorkspacesController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly members: MembersService,
  ) {}

  @Post()
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateWorkspaceDto) {
    return { workspace: await this.workspaces.create(user, body.name) };
  }

  @Get(':ws')
  async get(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string) {
    return { workspace: await this.workspaces.get(user.id, workspaceId) };
  }

  @Get(':ws/members')
  @ApiPageQuery()
  listMembers(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Pagination() page: PageRequest) {
    return this.members.list(user.id, workspaceId, page);
  }

  @Post(':ws/members')
  async addMember(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Body() body: AddMemberDto) {
    return { member: await this.members.add(user, workspaceId, body.email, body.role) };
  }

  @Patch(':ws/members/:userId')
  async changeMemberRole(
    @CurrentUser() user: AuthenticatedUser,
    @IdParam('ws') workspaceId: string,
    @IdParam('userId') userId: string,
    @Body() body: ChangeMemberRoleDto,
  ) {
    return { member: await this.members.changeRole(user, workspaceId, userId, body.role) };
  }

  @Delete(':ws/members/:userId')
  @HttpCode(204)
  async removeMember(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @IdParam('userId') userId: string) {
    await this.members.remove(user, workspaceId, userId);
  }
}
