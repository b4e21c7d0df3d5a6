import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TestCaseResultJob, TestRunEventData } from '#contracts';
import { summariseRun } from '#domain';
import { AppLogger } from '#runtime';
import { AuditTrail, type AuditedWork } from '../audit/audit-trail.js';
import { EventOutbox } from '../outbox/event-outbox.js';
import { TestRunsRepository, type RunProgress, type TestRunRow } from './test-runs.repository.js';

export type TestRunOutcome = 'recorded' | 'finished' | 'ignored';

/**
 * Writes what became of a test run's cases. Each result is applied under the run's row lock, once
 * per (run, case) however often it is delivered; the result that completes the run finishes it in
 * the same transaction, with its audit entry and outbox event. A finished run takes no more
 * results, so a late one (after the sweeper or a queue failure failed the run) changes nothing.
 */
@Injectable()
export class TestRunOutcomes {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly outbox: EventOutbox,
    private readonly runs: TestRunsRepository,
    private readonly logger: AppLogger,
  ) {}

  apply(result: TestCaseResultJob): Promise<TestRunOutcome> {
    return this.audit.transaction(async (work) => {
      const { manager } = work;
      const run = await this.runs.lockRun(manager, result.run_id);
      if (!run || (run.status !== 'queued' && run.status !== 'running')) return 'ignored';
      const entry = run.cases[result.index];
      if (!entry || entry.id !== result.case_id) {
        // Not a case of this run: a bug or a forged job; counting it would finish the run early.
        this.logger.pino.warn({ test_run_id: run.id, case_id: result.case_id, index: result.index }, 'test case result for no case of its run ignored');
        return 'ignored';
      }
      if (!(await this.runs.insertResult(manager, run, entry, result))) return 'ignored';
      const summary = summariseRun(await this.runs.caseResults(manager, run.id), run.cases_total);
      await this.runs.writeProgress(manager, run.id, summary);
      if (summary.status === 'running') return 'recorded';
      await this.finished(work, run, { ...summary, status: summary.status });
      return 'finished';
    });
  }

  /**
   * Fails an unfinished run (its jobs were not queued, or it stalled), keeping the results it has;
   * false when the run had finished already or, with `skipLocked`, is being written right now.
   */
  fail(runId: string, error: string, stillFailing: (run: TestRunRow) => boolean = () => true, skipLocked = false): Promise<boolean> {
    return this.audit.transaction(async (work) => {
      const { manager } = work;
      const run = await this.runs.lockRun(manager, runId, skipLocked);
      if (!run || (run.status !== 'queued' && run.status !== 'running') || !stillFailing(run)) return false;
      await this.runs.writeFailed(manager, run.id, error);
      await this.finished(work, run, { status: 'failed', cases_done: run.cases_done, cases_passed: run.cases_passed, regressions: run.regressions, error });
      return true;
    });
  }

  /** The run's final outcome leaves the registry: its webhook event, then (last: it takes the audit lock) its audit entry. */
  private async finished({ manager, audit }: AuditedWork, run: TestRunRow, summary: RunProgress & { status: 'succeeded' | 'failed' }): Promise<void> {
    const succeeded = summary.status === 'succeeded';
    const action = succeeded ? 'test_run.completed' : 'test_run.failed';
    const data: TestRunEventData = {
      test_run_id: run.id, version_id: run.version_id, prompt_id: run.prompt_id, status: summary.status,
      cases_total: run.cases_total, cases_passed: summary.cases_passed, regressions: summary.regressions,
    };
    await this.outbox.testRunEvent(manager, action, run.workspace_id, data);
    audit({
      workspaceId: run.workspace_id,
      action,
      resourceType: 'test_run',
      resourceId: run.id,
      actorEmail: await this.runs.emailOf(manager, run.requested_by),
      extra: {
        version_id: run.version_id, prompt_id: run.prompt_id, baseline_version_id: run.baseline_version_id,
        provider: run.provider, model: run.model, cases_total: run.cases_total, cases_done: summary.cases_done,
        cases_passed: summary.cases_passed, regressions: summary.regressions, ...(succeeded ? {} : { error: summary.error }),
      },
    });
  }
}
