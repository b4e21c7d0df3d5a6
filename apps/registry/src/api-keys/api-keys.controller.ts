import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { CreateApiKeyDto } from './dto/api-key.dto.js';
import { ApiAnswer, ApiNoContent, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post('environments/:env/api-keys')
  @ApiOperation({ summary: 'Create an API key', description: 'Role: admin. The key (pg_live_... for production, else pg_test_...) is shown this once; only its hash is kept.' })
  @ApiAnswer(201, 'CreatedApiKey', 'The new key; `key` is shown this once.')
  @ApiErrors(...FOUND_WITH_ROLE)
  create(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Body() body: CreateApiKeyDto) {
    return this.apiKeys.create(user, environmentId, body);
  }

  @Get('environments/:env/api-keys')
  @ApiOperation({ summary: 'List API keys', description: 'Role: admin. Revoked keys stay listed with revoked_at.' })
  @ApiPage('ApiKey', 'The environment\'s keys, newest first, without the key; revoked ones with revoked_at.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('env') environmentId: string, @Pagination() page: PageRequest) {
    return this.apiKeys.list(user.id, environmentId, page);
  }

  @Delete('api-keys/:id')
  @ApiOperation({ summary: 'Revoke an API key', description: 'Role: admin. Every gateway refuses the key within a second.' })
  @ApiNoContent('Revoked; every gateway refuses the key within a second.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @HttpCode(204)
  async revoke(@CurrentUser() user: AuthenticatedUser, @IdParam('id') apiKeyId: string): Promise<void> {
    await this.apiKeys.revoke(user, apiKeyId);
  }
}
