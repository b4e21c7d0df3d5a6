import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { CreatePromptDto, ProposeVersionDto } from './dto/prompt.dto.js';
import { PromptsService } from './prompts.service.js';
import { MAX_SEARCH_LENGTH, readSearch } from './search.js';

@ApiTags('prompts')
@ApiBearerAuth()
@Controller()
export class PromptsController {
  constructor(private readonly prompts: PromptsService) {}

  @Post('environments/:env/prompts')
  create(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Body() body: CreatePromptDto) {
    return this.prompts.create(user, environmentId, {
      key: body.key, content: body.content, description: body.description, commitMessage: body.commit_message,
    });
  }

  @Get('environments/:env/prompts')
  @ApiPageQuery()
  @ApiQuery({ name: 'search', required: false, description: 'case-insensitive part of the key or description', schema: { type: 'string', maxLength: MAX_SEARCH_LENGTH } })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @IdParam('env') environmentId: string,
    @Query('search') search: unknown,
    @Pagination() page: PageRequest,
  ) {
    return this.prompts.listPrompts(user.id, environmentId, readSearch(search), page);
  }

  @Get('environments/:env/prompts/by-key/:key')
  getByKey(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Param('key') key: string) {
    return this.prompts.getPromptByKey(user.id, environmentId, key);
  }

  @Get('prompts/:id')
  get(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string) {
    return this.prompts.getPrompt(user.id, promptId);
  }

  @Get('prompts/:id/versions')
  @ApiPageQuery()
  listVersions(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Pagination() page: PageRequest) {
    return this.prompts.listVersions(user.id, promptId, page);
  }

  @Post('prompts/:id/versions')
  async propose(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Body() body: ProposeVersionDto) {
    return { version: await this.prompts.propose(user, promptId, { content: body.content, commitMessage: body.commit_message }) };
  }

  @Get('versions/:id')
  getVersion(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string) {
    return this.prompts.getVersion(user.id, versionId);
  }

  @Get('versions/:id/diff')
  diff(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string) {
    return this.prompts.diffVersion(user.id, versionId);
  }
}
