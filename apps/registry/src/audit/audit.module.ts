import { Global, Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditController } from './audit.controller.js';
import { AuditService } from './audit.service.js';

/** AuditService (append, inside a change's transaction) for every module; the read and verify endpoints. */
@Global()
@Module({
  imports: [AccessModule],
  controllers: [AuditController],
  providers: [AuditService, AuditLogService],
  exports: [AuditService],
})
export class AuditModule {}
