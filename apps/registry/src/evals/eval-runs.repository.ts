import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EvalDimension } from '#persistence';

/** The columns a final outcome writes; a run that never reached the worker has no start. */
export interface FinalOutcome {
  evalId: string;
  status: 'succeeded' | 'failed';
  score: number | null;
  dimensions: EvalDimension[];
  suggestions: string[];
  error: string | null;
  model: string | null;
  startedAt: string | null;
  finishedAt: string;
}

/** A run as its final outcome left it: what the audit entry records. */
export interface FinishedRun {
  workspace_id: string;
  version_id: string;
  mode: string;
  provider: string | null;
  model: string | null;
  score: number | null;
  error: string | null;
}

/** Eval runs' state as the worker reports it, and the version's pointer to its last eval. */
@Injectable()
export class EvalRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Marks a queued run running; false when the run is not queued (any more). */
  async markStarted(evalId: string, startedAt: string): Promise<boolean> {
    const [, count] = (await this.dataSource.query(
      `UPDATE eval_runs SET status = 'running', started_at = $2 WHERE id = $1 AND status = 'queued'`,
      [evalId, startedAt],
    )) as [unknown[], number];
    return count > 0;
  }

  /** Writes the outcome on an unfinished run; null when the run had finished already. */
  async finish(manager: EntityManager, final: FinalOutcome): Promise<FinishedRun | null> {
    const [rows] = (await manager.query(
      `UPDATE eval_runs
          SET status = $2, score = $3, dimensions = $4::jsonb, suggestions = $5::jsonb, error = $6,
              model = coalesce(model, $7), started_at = coalesce(started_at, $8), finished_at = $9
        WHERE id = $1 AND status IN ('queued', 'running')
        RETURNING workspace_id, version_id, mode, provider, model, score, error`,
      [
        final.evalId, final.status, final.score, JSON.stringify(final.dimensions), JSON.stringify(final.suggestions),
        final.error, final.model, final.startedAt, final.finishedAt,
      ],
    )) as [FinishedRun[], number];
    return rows[0] ?? null;
  }

  async pointLastEval(manager: EntityManager, versionId: string, evalId: string): Promise<void> {
    await manager.query(`UPDATE prompt_versions SET last_eval_id = $2 WHERE id = $1`, [versionId, evalId]);
  }
}
