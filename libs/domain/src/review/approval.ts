import { ForbiddenError, type DomainError } from '../errors.js';
import { roleAtLeast, type Role } from '../roles.js';
import { InvalidTransitionError, nextStatus, type VersionStatus } from '../versions/state-machine.js';
import { SelfApprovalError, StaleBaseError } from './errors.js';
import { evaluateEvalGate, type EvalGateInput, type EvalGatePass } from './eval-gate.js';

export interface ApprovalInput {
  actorId: string;
  actorRole: Role;
  version: { status: VersionStatus; proposedBy: string | null; baseVersionId: string | null };
  /** The prompt's live version now, read under the prompt's row lock. */
  liveVersionId: string | null;
  requireReview: boolean;
  gate: Omit<EvalGateInput, 'actorRole'>;
}

export type ApprovalDecision = { ok: true; gate: EvalGatePass } | { ok: false; refusal: DomainError };

/** The first reason the actor may not approve the version, in the order API.md fixes, or ok. */
export function decideApproval(input: ApprovalInput): ApprovalDecision {
  if (!roleAtLeast(input.actorRole, 'reviewer')) {
    return refuse(new ForbiddenError('Approving needs the reviewer role or higher in the workspace.'));
  }
  return decideGoingLive(input, 'approve');
}

export interface QuickApprovalInput extends Omit<ApprovalInput, 'gate'> {
  /** The server runs with APP_ENV=development. */
  developmentMode: boolean;
  environmentProtected: boolean;
  gate: Omit<EvalGateInput, 'actorRole' | 'override'>;
}

/**
 * Quick-approval, the development shortcut from draft straight to live: only on a development
 * server in an unprotected environment, and it skips none of the environment's other rules.
 */
export function decideQuickApproval(input: QuickApprovalInput): ApprovalDecision {
  if (!roleAtLeast(input.actorRole, 'editor')) {
    return refuse(new ForbiddenError('Quick-approving needs the editor role or higher in the workspace.'));
  }
  if (!input.developmentMode || input.environmentProtected) {
    return refuse(new ForbiddenError('Quick-approve is only available on a development server, in an unprotected environment.'));
  }
  return decideGoingLive({ ...input, gate: { ...input.gate, override: false } }, 'quick_approve');
}

function decideGoingLive(input: ApprovalInput, event: 'approve' | 'quick_approve'): ApprovalDecision {
  const { version } = input;
  if (nextStatus(version.status, event) === null) return refuse(new InvalidTransitionError(version.status, event));
  if (input.requireReview && version.proposedBy === input.actorId) return refuse(new SelfApprovalError());
  if (version.baseVersionId !== input.liveVersionId) return refuse(new StaleBaseError(version.baseVersionId, input.liveVersionId));
  return evaluateEvalGate({ ...input.gate, actorRole: input.actorRole });
}

function refuse(refusal: DomainError): ApprovalDecision {
  return { ok: false, refusal };
}
