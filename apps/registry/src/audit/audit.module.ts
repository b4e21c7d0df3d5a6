import { Global, Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { AuditChainSweeper } from './audit-chain-sweeper.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditController } from './audit.controller.js';
import { AuditTrail } from './audit-trail.js';
import { AuditRepository } from './audit.repository.js';

/** AuditTrail (write with the change, chain after its commit) for every module, the sweep of entries left pending, the read and verify endpoints. */
@Global()
@Module({
  imports: [AccessModule],
  controllers: [AuditController],
  providers: [AuditRepository, AuditTrail, AuditLogService, AuditChainSweeper],
  exports: [AuditTrail],
})
export class AuditModule {}
