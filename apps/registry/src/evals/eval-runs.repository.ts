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
  id: string;
  status: string;
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
  /**
   * Records the final outcome of a run still queued or running and points its version's last
   * eval at it, in one statement; null when the run had already finished (or does not exist).
   */
  async finish(manager: EntityManager, final: FinalOutcome): Promise<FinishedRun | null> {
    const rows = (await manager.query(
      `WITH finished AS (
         UPDATE eval_runs
            SET status = $2, score = $3, dimensions = $4::jsonb, suggestions = $5::jsonb, error = $6,
                model = coalesce(model, $7), started_at = coalesce(started_at, $8), finished_at = $9
          WHERE id = $1 AND status IN ('queued', 'running')
          RETURNING id, status, workspace_id, version_id, mode, provider, model, score, error),
       pointed AS (
         UPDATE prompt_versions v SET last_eval_id = f.id FROM finished f WHERE v.id = f.version_id)
       SELECT * FROM finished`,
      [
        final.evalId, final.status, final.score, JSON.stringify(final.dimensions), JSON.stringify(final.suggestions),
        final.error, final.model, final.startedAt, final.finishedAt,
      ],
    )) as FinishedRun[];
    return rows[0] ?? null;
  }
}
