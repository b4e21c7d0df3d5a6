import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { GateRun } from '#domain';

/** A test run as the approval's test gate reads it. */
export interface GateRunRow extends GateRun {
  status: 'succeeded';
  created_at: Date;
}

/**
 * The test runs the approval gate reads (libs/domain decideTestGate), kept apart from the runs'
 * own repository so the gate depends on these columns of test_runs only.
 */
@Injectable()
export class TestRunsReader {
  /** The version's succeeded runs, newest first. */
  async succeededRunsOf(manager: EntityManager, versionId: string): Promise<GateRunRow[]> {
    return (await manager.query(
      `SELECT id, status, baseline_version_id, cases_total, cases_passed, regressions, created_at
         FROM test_runs WHERE version_id = $1 AND status = 'succeeded'
        ORDER BY created_at DESC, id DESC`,
      [versionId],
    )) as GateRunRow[];
  }

  /** The version's newest run of any status, for the audit of an override; null when it has none. */
  async newestRunIdOf(manager: EntityManager, versionId: string): Promise<string | null> {
    const [row] = (await manager.query(
      `SELECT id FROM test_runs WHERE version_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
      [versionId],
    )) as Array<{ id: string }>;
    return row?.id ?? null;
  }
}
