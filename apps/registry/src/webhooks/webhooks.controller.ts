import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { CreateWebhookDto } from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';
import { ApiAnswer, ApiNoContent, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller()
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('workspaces/:ws/webhooks')
  @ApiOperation({ summary: 'Subscribe a webhook', description: 'Role: admin. Deliveries follow Standard Webhooks, signed with the secret shown once.' })
  @ApiAnswer(201, 'CreatedWebhook', 'The subscription; `secret` is shown this once.')
  @ApiErrors(...FOUND_WITH_ROLE, 'url_not_allowed')
  create(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Body() body: CreateWebhookDto) {
    return this.webhooks.create(user, workspaceId, body);
  }

  @Get('workspaces/:ws/webhooks')
  @ApiOperation({ summary: 'List webhooks', description: 'Role: admin.' })
  @ApiPage('Webhook', 'The workspace\'s subscriptions, newest first, without secrets.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @ApiPageQuery()
  list(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string, @Pagination() page: PageRequest) {
    return this.webhooks.list(user.id, workspaceId, page);
  }

  @Delete('webhooks/:id')
  @ApiOperation({ summary: 'Delete a webhook', description: 'Role: admin.' })
  @ApiNoContent('Deleted.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @HttpCode(204)
  async delete(@CurrentUser() user: AuthenticatedUser, @IdParam('id') webhookId: string): Promise<void> {
    await this.webhooks.delete(user, webhookId);
  }

  @Get('webhooks/:id/deliveries')
  @ApiOperation({ summary: 'List a webhook\'s deliveries', description: 'Role: admin.' })
  @ApiPage('Delivery', 'The subscription\'s deliveries, newest first.')
  @ApiErrors(...FOUND_WITH_ROLE)
  @ApiPageQuery()
  deliveries(@CurrentUser() user: AuthenticatedUser, @IdParam('id') webhookId: string, @Pagination() page: PageRequest) {
    return this.webhooks.deliveries(user.id, webhookId, page);
  }
}
