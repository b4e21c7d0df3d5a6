import { ConflictError, ForbiddenError, UnprocessableError } from '../errors.js';

/** The live version moved since this version was proposed: its diff no longer shows what would change. */
export class StaleBaseError extends ConflictError {
  constructor(baseVersionId: string | null, liveVersionId: string | null) {
    super('The live version changed since this version was proposed: propose again on the new base.', 'stale_base', {
      base_version_id: baseVersionId,
      live_version_id: liveVersionId,
    });
  }
}

/** The environment requires a second person: the proposer may not approve their own version. */
export class SelfApprovalError extends ForbiddenError {
  constructor() {
    super('This environment requires review by someone other than the proposer.', 'self_approval');
  }
}

export type EvalGateRefusal = 'eval_required' | 'eval_below_threshold';

/** The environment requires a passing evaluation before a version goes live. */
export class EvalGateError extends UnprocessableError {
  constructor(code: EvalGateRefusal, details: { score: number | null; threshold: number; mode: 'rules' | 'judge' }) {
    super(
      code === 'eval_required'
        ? `This environment requires a succeeded ${details.mode} evaluation of the version before approval.`
        : `The version's ${details.mode} evaluation scored ${details.score}, below this environment's threshold of ${details.threshold}.`,
      code,
      details,
    );
  }
}

/** Rollback returns only to content that was live before; anything else must go through review. */
export class NotPreviouslyLiveError extends ConflictError {
  constructor(versionNum: number, status: string) {
    super(`Version ${versionNum} was never live (status '${status}'): only a version that was live may be rolled back to; submit it for review instead.`,
      'not_previously_live', { version_num: versionNum, status });
  }
}
