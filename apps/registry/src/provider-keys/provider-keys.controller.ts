import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { PROVIDERS, type Provider } from '#contracts';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ProviderParam, SaveProviderKeyDto } from './dto/provider-key.dto.js';
import { ProviderKeysService } from './provider-keys.service.js';
import { ApiAnswer, ApiNoContent, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('provider-keys')
@ApiBearerAuth()
@Controller('workspaces/:ws/provider-keys')
export class ProviderKeysController {
  constructor(private readonly providerKeys: ProviderKeysService) {}

  @Put(':provider')
  @ApiOperation({ summary: 'Save a provider key', description: 'Role: admin. Sealed at rest, never shown again.' })
  @ApiParam({ name: 'provider', enum: PROVIDERS })
  @ApiAnswer(200, 'ProviderKey', 'Saved, sealed at rest; never shown again.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @HttpCode(200)
  save(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @ProviderParam() provider: Provider, @Body() body: SaveProviderKeyDto) {
    return this.providerKeys.save(user, workspaceId, provider, body.api_key);
  }

  @Get()
  @ApiOperation({ summary: 'List saved provider keys', description: 'Role: admin. Only the last four characters.' })
  @ApiPage('ProviderKey', 'The saved keys, by provider name.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Pagination() page: PageRequest) {
    return this.providerKeys.list(user.id, workspaceId, page);
  }

  @Delete(':provider')
  @ApiOperation({ summary: 'Delete a provider key', description: 'Role: admin.' })
  @ApiParam({ name: 'provider', enum: PROVIDERS })
  @ApiNoContent('Deleted.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @ProviderParam() provider: Provider): Promise<void> {
    await this.providerKeys.remove(user, workspaceId, provider);
  }
}
