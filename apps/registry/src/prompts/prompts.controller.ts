import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { CreatePromptDto, ProposeVersionDto } from './dto/prompt.dto.js';
import { PromptsService } from './prompts.service.js';

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

  @Post('prompts/:id/versions')
  async propose(@CurrentUser() user: AuthenticatedUser, @IdParam('id') promptId: string, @Body() body: ProposeVersionDto) {
    return { version: await this.prompts.propose(user, promptId, { content: body.content, commitMessage: body.commit_message }) };
  }
}
