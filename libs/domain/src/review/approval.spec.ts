import type { Role } from '../roles.js';
import type { VersionStatus } from '../versions/state-machine.js';
import { decideApproval, decideQuickApproval, type ApprovalInput, type QuickApprovalInput } from './approval.js';

const PROPOSER = 'u-proposer';
const REVIEWER = 'u-reviewer';

const approval = (over: Partial<ApprovalInput> & { status?: VersionStatus; proposedBy?: string; base?: string | null } = {}): ApprovalInput => ({
  actorId: REVIEWER,
  actorRole: 'reviewer',
  version: { status: over.status ?? 'pending_review', proposedBy: over.proposedBy ?? PROPOSER, baseVersionId: over.base === undefined ? 'v1' : over.base },
  liveVersionId: 'v1',
  requireReview: true,
  gate: { evalRequired: false, threshold: 7, judgeConfigured: false, evals: [], override: false },
  ...over,
});

const failingGate = { evalRequired: true, threshold: 7, judgeConfigured: false, evals: [], override: false };

describe('decideApproval', () => {
  it('approves a pending version on the live base by another person', () => {
    expect(decideApproval(approval())).toEqual({ ok: true, gate: { gated: false } });
  });

  it('treats "nothing live" as a base like any other', () => {
    expect(decideApproval(approval({ base: null, liveVersionId: null })).ok).toBe(true);
    expect(decideApproval(approval({ base: null, liveVersionId: 'v1' }))).toMatchObject({ ok: false, refusal: { code: 'stale_base' } });
    expect(decideApproval(approval({ base: 'v1', liveVersionId: null }))).toMatchObject({ ok: false, refusal: { code: 'stale_base' } });
  });

  // Each row breaks every rule from its own onwards, so only the first refusal in API.md's order may show.
  const order: Array<[string, Partial<Parameters<typeof approval>[0]>, string, string]> = [
    ['a viewer', { actorRole: 'viewer', actorId: PROPOSER, status: 'draft', base: 'v0', gate: failingGate }, 'forbidden', 'forbidden'],
    ['an editor', { actorRole: 'editor', actorId: PROPOSER, status: 'draft', base: 'v0', gate: failingGate }, 'forbidden', 'forbidden'],
    ['a draft', { actorId: PROPOSER, status: 'draft', base: 'v0', gate: failingGate }, 'conflict', 'invalid_transition'],
    ['an approved version', { actorId: PROPOSER, status: 'approved', base: 'v0', gate: failingGate }, 'conflict', 'invalid_transition'],
    ['a rejected version', { status: 'rejected' }, 'conflict', 'invalid_transition'],
    ['own version where review is required', { actorId: PROPOSER, base: 'v0', gate: failingGate }, 'forbidden', 'self_approval'],
    ['own version by an owner where review is required', { actorId: PROPOSER, actorRole: 'owner', base: 'v0', gate: failingGate }, 'forbidden', 'self_approval'],
    ['a stale base', { base: 'v0', gate: failingGate }, 'conflict', 'stale_base'],
    ['a missing eval', { gate: failingGate }, 'unprocessable', 'eval_required'],
    ['a low score', { gate: { ...failingGate, evals: [{ id: 'e', mode: 'rules', score: 3 }] } }, 'unprocessable', 'eval_below_threshold'],
    ['an override by a reviewer', { gate: { ...failingGate, override: true } }, 'forbidden', 'forbidden'],
  ];
  it.each(order)('refuses %s first with %s %s', (_case, over, kind, code) => {
    expect(decideApproval(approval(over))).toEqual({ ok: false, refusal: expect.objectContaining({ kind, code }) });
  });

  it('lets the proposer approve where review is not required', () => {
    expect(decideApproval(approval({ actorId: PROPOSER, requireReview: false })).ok).toBe(true);
  });

  it('reports an admin override with the score and threshold', () => {
    const gate = { ...failingGate, override: true, evals: [{ id: 'e1', mode: 'rules' as const, score: 4 }] };
    expect(decideApproval(approval({ actorRole: 'admin', gate }))).toEqual({
      ok: true, gate: { gated: true, overridden: true, evalId: 'e1', score: 4, threshold: 7 },
    });
  });
});

describe('decideQuickApproval', () => {
  const quick = (over: Partial<QuickApprovalInput> & { status?: VersionStatus } = {}): QuickApprovalInput => ({
    actorId: PROPOSER,
    actorRole: 'editor' as Role,
    version: { status: over.status ?? 'draft', proposedBy: PROPOSER, baseVersionId: 'v1' },
    liveVersionId: 'v1',
    requireReview: false,
    developmentMode: true,
    environmentProtected: false,
    gate: { evalRequired: false, threshold: 7, judgeConfigured: false, evals: [] },
    ...over,
  });

  it('takes the proposer\'s draft live on a development server in an unprotected environment', () => {
    expect(decideQuickApproval(quick())).toEqual({ ok: true, gate: { gated: false } });
  });

  const refusals: Array<[string, Partial<QuickApprovalInput> & { status?: VersionStatus }, string]> = [
    ['a viewer', { actorRole: 'viewer', developmentMode: false }, 'forbidden'],
    ['a server not in development', { developmentMode: false, status: 'pending_review' }, 'forbidden'],
    ['a protected environment, even in development', { environmentProtected: true, status: 'pending_review' }, 'forbidden'],
    ['a version that is not a draft', { status: 'pending_review', liveVersionId: 'v2' }, 'invalid_transition'],
    ['the proposer where review is required', { requireReview: true, liveVersionId: 'v2' }, 'self_approval'],
    ['a stale base', { liveVersionId: 'v2' }, 'stale_base'],
    ['a missing eval where one is required', { gate: { evalRequired: true, threshold: 7, judgeConfigured: false, evals: [] } }, 'eval_required'],
  ];
  it.each(refusals)('refuses %s with %s', (_case, over, code) => {
    expect(decideQuickApproval(quick(over))).toMatchObject({ ok: false, refusal: { code } });
  });
});
