import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { CreatePromptDto, ProposeVersionDto } from './dto/prompt.dto.js';
import { PromptsService } from './prompts.service.js';
import { MAX_SEARCH_LENGTH, readSearch } from './search.js';
import { ApiAnswer, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('prompts')
@ApiBearerAuth()
@Controller()
export class PromptsController {
  constructor(private readonly prompts: PromptsService) {}

  @Post('environments/:env/prompts')
  @ApiOperation({ summary: 'Create a prompt', description: 'Role: editor. Version 1 is a draft. A text prompt takes content, a chat prompt (type chat) messages; both take config.' })
  @ApiAnswer(201, 'PromptCreated', 'The prompt and its version 1, a draft.')
  @ApiErrors(...FOUND_WITH_ROLE, 'conflict')
  create(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Body() body: CreatePromptDto) {
    return this.prompts.create(user, environmentId, {
      key: body.key, type: body.type, content: body.content, messages: body.messages, config: body.config,
      description: body.description, commitMessage: body.commit_message,
    });
  }

  @Get('environments/:env/prompts')
  @ApiOperation({ summary: 'List prompts', description: 'Role: viewer. search matches part of the key or description, case-insensitively.' })
  @ApiPage('PromptListItem', 'The environment\'s prompts, last updated first.')
  @ApiErrors(...FOUND)
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
  @ApiOperation({ summary: 'Get a prompt by key', description: 'Role: viewer.' })
  @ApiAnswer(200, 'Prompt', 'The prompt with this key.')
  @ApiErrors(...FOUND)
  getByKey(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Param('key') key: string) {
    return this.prompts.getPromptByKey(user.id, environmentId, key);
  }

  @Get('prompts/:id')
  @ApiOperation({ summary: 'Get a prompt', description: 'Role: viewer. With the content of its live version.' })
  @ApiAnswer(200, 'Prompt', 'The prompt.')
  @ApiErrors(...FOUND)
  get(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string) {
    return this.prompts.getPrompt(user.id, promptId);
  }

  @Get('prompts/:id/versions')
  @ApiOperation({ summary: 'List a prompt\'s versions', description: 'Role: viewer.' })
  @ApiPage('VersionSummary', 'The prompt\'s versions, newest first, without contents.')
  @ApiErrors(...FOUND)
  @ApiPageQuery()
  listVersions(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Pagination() page: PageRequest) {
    return this.prompts.listVersions(user.id, promptId, page);
  }

  @Post('prompts/:id/versions')
  @ApiOperation({ summary: 'Propose a version', description: 'Role: editor. A draft whose base is the version live at this moment.' })
  @ApiAnswer(201, 'VersionAnswer', 'The new version, a draft based on the version live now.')
  @ApiErrors(...FOUND_WITH_ROLE)
  async propose(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Body() body: ProposeVersionDto) {
    return {
      version: await this.prompts.propose(user, promptId, {
        content: body.content, messages: body.messages, config: body.config, commitMessage: body.commit_message,
      }),
    };
  }

  @Get('versions/:id')
  @ApiOperation({ summary: 'Get a version', description: 'Role: viewer.' })
  @ApiAnswer(200, 'Version', 'The version.')
  @ApiErrors(...FOUND)
  getVersion(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string) {
    return this.prompts.getVersion(user.id, versionId);
  }

  @Get('versions/:id/diff')
  @ApiOperation({ summary: 'Diff a version against its base', description: 'Role: viewer.' })
  @ApiAnswer(200, 'VersionDiff', 'A line diff against the base (a chat version\'s messages rendered as text), unchanged lines included, and the config\'s changed leaves.')
  @ApiErrors(...FOUND)
  diff(@CurrentUser() user: AuthenticatedUser, @IdParam('id') versionId: string) {
    return this.prompts.diffVersion(user.id, versionId);
  }
}
