import type { EvalDimension, EvalRunEntity } from '#persistence';

/** An eval run as GET /evals/:id answers it (API.md). */
export interface EvalRunView {
  id: string;
  version_id: string;
  mode: string;
  provider: string | null;
  model: string | null;
  status: string;
  score: number | null;
  dimensions: EvalDimension[];
  suggestions: string[];
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toEvalRunView(e: EvalRunEntity): EvalRunView {
  return {
    id: e.id,
    version_id: e.versionId,
    mode: e.mode,
    provider: e.provider,
    model: e.model,
    status: e.status,
    score: e.score,
    dimensions: e.dimensions,
    suggestions: e.suggestions,
    error: e.error,
    created_at: e.createdAt.toISOString(),
    started_at: iso(e.startedAt),
    finished_at: iso(e.finishedAt),
  };
}
