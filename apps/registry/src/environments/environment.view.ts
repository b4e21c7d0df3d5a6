import type { EnvironmentEntity } from '#persistence';

export function toEnvironmentView(e: EnvironmentEntity) {
  return {
    id: e.id,
    workspace_id: e.workspaceId,
    name: e.name,
    is_protected: e.isProtected,
    require_review: e.requireReview,
    eval_required: e.evalRequired,
    eval_pass_threshold: e.evalPassThreshold,
    tests_required: e.testsRequired,
    max_regressions: e.maxRegressions,
    judge: e.judgeProvider ? { provider: e.judgeProvider, model: e.judgeModel } : null,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}
export type EnvironmentView = ReturnType<typeof toEnvironmentView>;
