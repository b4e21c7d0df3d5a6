import { ConflictError } from '../errors.js';

export type VersionStatus = 'draft' | 'pending_review' | 'approved' | 'rejected' | 'archived';

/** What can happen to a version. `supersede` is a later version going live over an approved one. */
export type VersionEvent = 'submit' | 'approve' | 'reject' | 'quick_approve' | 'supersede';

const TRANSITIONS: Record<VersionEvent, Partial<Record<VersionStatus, VersionStatus>>> = {
  submit: { draft: 'pending_review' },
  approve: { pending_review: 'approved' },
  reject: { pending_review: 'rejected' },
  quick_approve: { draft: 'approved' },
  supersede: { approved: 'archived' },
};

/** The status after `event`, or null when the event is not allowed from `from`. */
export function nextStatus(from: VersionStatus, event: VersionEvent): VersionStatus | null {
  return TRANSITIONS[event][from] ?? null;
}

export class InvalidTransitionError extends ConflictError {
  constructor(readonly from: VersionStatus, readonly event: VersionEvent) {
    super(`A version in status '${from}' cannot be ${PAST[event]}.`, 'invalid_transition', { status: from, action: event });
  }
}

const PAST: Record<VersionEvent, string> = {
  submit: 'submitted',
  approve: 'approved',
  reject: 'rejected',
  quick_approve: 'quick-approved',
  supersede: 'superseded',
};

/** Like nextStatus, but an illegal transition throws a 409 invalid_transition. */
export function transition(from: VersionStatus, event: VersionEvent): VersionStatus {
  const to = nextStatus(from, event);
  if (to === null) throw new InvalidTransitionError(from, event);
  return to;
}

export const VERSION_STATUSES: readonly VersionStatus[] = ['draft', 'pending_review', 'approved', 'rejected', 'archived'];
export const VERSION_EVENTS: readonly VersionEvent[] = ['submit', 'approve', 'reject', 'quick_approve', 'supersede'];
