import { Injectable } from '@nestjs/common';
import type { EvalResultJob } from '#contracts';
import type { EvalDimension } from '#persistence';
import { AuditTrail } from '../audit/audit-trail.js';
import { EventOutbox } from '../outbox/event-outbox.js';
import { EvalRunsRepository, type FinalOutcome } from './eval-runs.repository.js';

type FinalResult = Exclude<EvalResultJob, { status: 'running' }>;

export type EvalOutcome = 'started' | 'recorded' | 'ignored';

/** The stored dimension: `suggestion` only where there is one, as the API shows it. */
function storedDimension(d: { name: string; score: number; reason: string; suggestion?: string | null }): EvalDimension {
  return { name: d.name, score: d.score, reason: d.reason, ...(d.suggestion ? { suggestion: d.suggestion } : {}) };
}

/**
 * Writes what became of an eval run. Only a queued run starts and only an unfinished run
 * finishes, so a result delivered twice (or late, after the run failed to queue) changes nothing:
 * one row, one outcome, one audit entry.
 */
@Injectable()
export class EvalOutcomes {
  constructor(
    private readonly audit: AuditTrail,
    private readonly outbox: EventOutbox,
    private readonly runs: EvalRunsRepository,
  ) {}

  async start(evalId: string, startedAt: string): Promise<EvalOutcome> {
    return (await this.runs.markStarted(evalId, startedAt)) ? 'started' : 'ignored';
  }

  /** Records the worker's final result once, points the version's last eval at it, and audits it. */
  finish(result: FinalResult): Promise<EvalOutcome> {
    const succeeded = result.status === 'succeeded';
    return this.record({
      evalId: result.eval_id, status: result.status, score: succeeded ? result.score : null,
      dimensions: succeeded ? result.dimensions.map(storedDimension) : [], suggestions: succeeded ? result.suggestions : [],
      error: succeeded ? null : result.error, model: result.model, startedAt: result.started_at, finishedAt: result.finished_at,
    });
  }

  /** Fails a run whose job the queue did not take, so it is not left queued forever. */
  failUnqueued(evalId: string, error: string): Promise<EvalOutcome> {
    return this.record({
      evalId, status: 'failed', score: null, dimensions: [], suggestions: [], error, model: null,
      startedAt: null, finishedAt: new Date().toISOString(),
    });
  }

  private async record(final: FinalOutcome): Promise<EvalOutcome> {
    const succeeded = final.status === 'succeeded';
    return this.audit.transaction(async ({ manager, audit }) => {
      const run = await this.runs.finish(manager, final);
      if (!run) return 'ignored';
      await this.outbox.evalEvent(manager, succeeded ? 'eval.completed' : 'eval.failed', run);
      audit({
        workspaceId: run.workspace_id,
        action: succeeded ? 'eval.completed' : 'eval.failed',
        resourceType: 'eval',
        resourceId: final.evalId,
        actorEmail: null,
        extra: succeeded
          ? { version_id: run.version_id, mode: run.mode, provider: run.provider, model: run.model, score: run.score }
          : { version_id: run.version_id, mode: run.mode, provider: run.provider, error: run.error },
      });
      return 'recorded';
    });
  }
}
