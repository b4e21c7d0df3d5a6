import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { AddMemberDto, ChangeMemberRoleDto, CreateWorkspaceDto } from './dto/workspace.dto.js';
import { MembersService } from './members.service.js';
import { WorkspacesService } from './workspaces.service.js';
import { ApiAnswer, ApiNoContent, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('workspaces')
@ApiBearerAuth()
@Controller('workspaces')
export class WorkspacesController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly members: MembersService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a workspace', description: 'Any signed-in user; they become its owner. It gets development, staging and production.' })
  @ApiAnswer(201, 'WorkspaceAnswer', 'The new workspace; the caller is its owner.')
  @ApiErrors('forbidden')
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateWorkspaceDto) {
    return { workspace: await this.workspaces.create(user, body.name) };
  }

  @Get(':ws')
  @ApiOperation({ summary: 'Get a workspace', description: 'Role: viewer.' })
  @ApiAnswer(200, 'WorkspaceAnswer', 'The workspace.')
  @ApiErrors(...FOUND)
  async get(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string) {
    return { workspace: await this.workspaces.get(user.id, workspaceId) };
  }

  @Get(':ws/members')
  @ApiOperation({ summary: 'List members', description: 'Role: viewer.' })
  @ApiPage('Member', 'The members, oldest first.')
  @ApiErrors(...FOUND)
  @ApiPageQuery()
  listMembers(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Pagination() page: PageRequest) {
    return this.members.list(user.id, workspaceId, page);
  }

  @Post(':ws/members')
  @ApiOperation({ summary: 'Add a member', description: 'Role: admin (owner to grant owner). The user must have signed up.' })
  @ApiAnswer(201, 'MemberAnswer', 'The new member.')
  @ApiErrors(...FOUND_WITH_ROLE, 'conflict')
  async addMember(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Body() body: AddMemberDto) {
    return { member: await this.members.add(user, workspaceId, body.email, body.role) };
  }

  @Patch(':ws/members/:userId')
  @ApiOperation({ summary: 'Change a member\'s role', description: 'Role: admin (owner to change an owner or grant owner).' })
  @ApiAnswer(200, 'MemberAnswer', 'The member with the new role.')
  @ApiErrors(...FOUND_WITH_ROLE, 'last_owner')
  async changeMemberRole(
    @CurrentUser() user: AuthenticatedUser,
    @IdParam('ws') workspaceId: string,
    @IdParam('userId') userId: string,
    @Body() body: ChangeMemberRoleDto,
  ) {
    return { member: await this.members.changeRole(user, workspaceId, userId, body.role) };
  }

  @Delete(':ws/members/:userId')
  @ApiOperation({ summary: 'Remove a member', description: 'Role: admin (owner to remove an owner).' })
  @ApiNoContent('Removed from the workspace.')
  @ApiErrors(...FOUND_WITH_ROLE, 'last_owner')
  @HttpCode(204)
  async removeMember(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @IdParam('userId') userId: string) {
    await this.members.remove(user, workspaceId, userId);
  }
}
