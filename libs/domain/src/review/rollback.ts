import type { VersionStatus } from '../versions/state-machine.js';
import { NotPreviouslyLiveError } from './errors.js';

/** Statuses a version that went live can be in: live now, or superseded since. */
const ONCE_LIVE: ReadonlySet<VersionStatus> = new Set<VersionStatus>(['approved', 'archived']);

export interface RollbackTarget {
  versionNum: number;
  status: VersionStatus;
  liveFrom: Date | null;
}

/**
 * Whether a rollback may return to `target`: only to content that was live before (approved or
 * archived, with `live_from` set); a draft, a pending or a rejected version goes live through review.
 */
export function decideRollbackTarget(target: RollbackTarget): { ok: true } | { ok: false; refusal: NotPreviouslyLiveError } {
  if (target.liveFrom !== null && ONCE_LIVE.has(target.status)) return { ok: true };
  return { ok: false, refusal: new NotPreviouslyLiveError(target.versionNum, target.status) };
}
