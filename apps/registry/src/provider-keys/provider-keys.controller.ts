import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Provider } from '#contracts';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { ProviderParam, SaveProviderKeyDto } from './dto/provider-key.dto.js';
import { ProviderKeysService } from './provider-keys.service.js';

@ApiTags('provider-keys')
@ApiBearerAuth()
@Controller('workspaces/:ws/provider-keys')
export class ProviderKeysController {
  constructor(private readonly providerKeys: ProviderKeysService) {}

  @Put(':provider')
  @HttpCode(200)
  save(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @ProviderParam() provider: Provider, @Body() body: SaveProviderKeyDto) {
    return this.providerKeys.save(user, workspaceId, provider, body.api_key);
  }

  @Get()
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Pagination() page: PageRequest) {
    return this.providerKeys.list(user.id, workspaceId, page);
  }

  @Delete(':provider')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @ProviderParam() provider: Provider): Promise<void> {
    await this.providerKeys.remove(user, workspaceId, provider);
  }
}
