import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppLogger } from '#runtime';
import { PeriodicSweep } from '../common/periodic-sweep.js';
import { AuditTrail } from './audit-trail.js';
import { AuditRepository } from './audit.repository.js';

const SWEEP_INTERVAL_MS = 1000;
/** Younger pending entries are left to the chain their change's request runs after its COMMIT. */
const PENDING_SECONDS = 2;

/**
 * Chains audit entries whose change committed but whose chain call did not run or failed (a
 * process killed between the two, the chain refused): every registry looks every second, through
 * AuditTrail's chain of the workspace (so a sweep and this process's changes share one chain in
 * flight), and audit_chain's lock makes two registries chain each entry once.
 */
@Injectable()
export class AuditChainSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly periodic = new PeriodicSweep(
    SWEEP_INTERVAL_MS,
    () => this.sweep(),
    (err) => this.logger.pino.warn({ err: { message: (err as Error).message } }, 'pending audit entries not chained'),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: AuditRepository,
    private readonly trail: AuditTrail,
    private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.periodic.stop();
  }

  /** Chains what is pending for more than PENDING_SECONDS; returns in how many workspaces. */
  async sweep(): Promise<number> {
    const workspaces = await this.log.workspacesPendingFor(this.dataSource.manager, PENDING_SECONDS);
    for (const workspaceId of workspaces) await this.trail.chainPending(workspaceId);
    if (workspaces.length > 0) this.logger.pino.warn({ workspaces: workspaces.length }, 'chained audit entries left pending');
    return workspaces.length;
  }
}
