import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { CreateApiKeyDto } from './dto/api-key.dto.js';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post('environments/:env/api-keys')
  create(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Body() body: CreateApiKeyDto) {
    return this.apiKeys.create(user, environmentId, body);
  }

  @Get('environments/:env/api-keys')
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Pagination() page: PageRequest) {
    return this.apiKeys.list(user.id, environmentId, page);
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  async revoke(@CurrentUser() user: AuthenticatedUser, @IdParam('id') apiKeyId: string): Promise<void> {
    await this.apiKeys.revoke(user, apiKeyId);
  }
}
