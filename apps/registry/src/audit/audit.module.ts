import { Global, Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditController } from './audit.controller.js';
import { AuditTrail } from './audit-trail.js';
import { AuditRepository } from './audit.repository.js';

/** AuditTrail (append, inside a change's transaction) for every module; the read and verify endpoints. */
@Global()
@Module({
  imports: [AccessModule],
  controllers: [AuditController],
  providers: [AuditRepository, AuditTrail, AuditLogService],
  exports: [AuditTrail],
})
export class AuditModule {}
