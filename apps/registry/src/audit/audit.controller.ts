import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/ids.js';
import { ApiPageQuery, Pagination, type PageRequest } from '../common/pagination.js';
import { CurrentUser, type AuthenticatedUser } from '../identity/current-user.decorator.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';
import { ApiAnswer, ApiPage } from '../openapi/api-answers.js';
import { ApiErrors, FOUND, FOUND_WITH_ROLE } from '../openapi/error-response.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('workspaces/:ws/audit')
export class AuditController {
  constructor(private readonly auditLog: AuditLogService) {}

  @Get()
  @ApiOperation({ summary: 'List audit entries', description: 'Role: viewer. Filter by action, resource_id, actor (an email), from and to.' })
  @ApiPage('AuditEntry', 'Entries, newest first.')
  @ApiErrors(...FOUND)
  @ApiPageQuery()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @IdParam('ws') workspaceId: string,
    @Query() query: AuditQueryDto,
    @Pagination() page: PageRequest,
  ) {
    return this.auditLog.list(user.id, workspaceId, query, page);
  }

  @Get('verify')
  @ApiOperation({ summary: 'Verify the audit chain', description: 'Role: admin. Recomputes the workspace\'s hash chain on the server.' })
  @ApiAnswer(200, 'AuditVerdict', 'Whether the chain recomputes, and its head hash.')
  @ApiErrors(...FOUND_WITH_ROLE)
  verify(@CurrentUser() user: AuthenticatedUser, @IdParam('ws') workspaceId: string) {
    return this.auditLog.verify(user.id, workspaceId);
  }
}
