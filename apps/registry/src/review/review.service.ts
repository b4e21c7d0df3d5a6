import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ConflictError, decideApproval, decideQuickApproval, decideRollbackTarget, decideTestGate, ForbiddenError, MAX_TEST_CASES_PER_PROMPT,
  nextStatus, NotFoundError, roleAtLeast, rolesAtLeast, transition, ValidationError, VERSION_STATUSES, type EvalGatePass, type ModelConfig,
  type Role, type TestGateDecision, type VersionStatus,
} from '#domain';
import { OUTBOX_CONSUMERS, type LiveSnapshot, type OutboxConsumption } from '#contracts';
import { EnvironmentEntity, PromptEntity, PromptVersionEntity } from '#persistence';
import { AuditTrail, type AuditedWork } from '../audit/audit-trail.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { EventOutbox, OWN_CONSUMPTION_LEASE, type VersionEventContext } from '../outbox/event-outbox.js';
import { PromptsRepository, type LastEval, type ReviewTarget } from '../prompts/prompts.repository.js';
import { bodyOf, PromptsService } from '../prompts/prompts.service.js';
import { presentVersion, type PeopleById, type PersonView, type VersionView } from '../prompts/version.view.js';
import { TestCasesRepository } from '../test-cases/test-cases.repository.js';
import { TestRunsReader } from '../test-runs/test-runs.reader.js';

/** A version that just went live: as it now is, its answer, and the snapshot its outbox event carries to the gateways. */
interface WentLive {
  version: PromptVersionEntity;
  view: VersionView;
  snapshot: LiveSnapshot;
}

type LockedTarget = ReviewTarget & { locked: true };

const EDITOR_OR_ABOVE = rolesAtLeast('editor');
/** The status a submit starts from, the state machine's only one (the one-statement submit checks for it), and where it goes. */
const SUBMITTED_FROM: VersionStatus = (() => {
  const from = VERSION_STATUSES.filter((status) => nextStatus(status, 'submit') !== null);
  if (from.length !== 1) throw new Error('a submit starts from one status');
  return from[0];
})();
const SUBMITTED_TO = transition(SUBMITTED_FROM, 'submit');

/** The people a decision's answer names: those review_target found, and the actor, never looked up. */
function peopleOf(found: readonly PersonView[], actor: AuthenticatedUser): PeopleById {
  return new Map([...found, { id: actor.id, email: actor.email, name: actor.name }].map((person) => [person.id, person]));
}

/** What the event of a decision says of its version, from what the decision read and wrote. */
function eventContext(target: LockedTarget, version: PromptVersionEntity): VersionEventContext {
  return {
    workspace: { id: target.prompt.workspaceId, name: target.workspaceName },
    environment: { id: target.environment.id, name: target.environment.name },
    prompt: { id: target.prompt.id, key: target.prompt.key },
    version: { id: version.id, version_num: version.versionNum, status: version.status },
  };
}

/**
 * The review gate: submit, approve, reject, quick-approve, rollback and promote. Each is one
 * transaction that first locks the prompt row, so changes of one prompt's versions queue up and
 * each decision is made on what the previous one committed; the outbox event and (last) the audit
 * entry are written inside, and the command ends at its commit: the outbox takes the change to the
 * gateways (the live snapshot) and to the eval queue (evals on submit).
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly audit: AuditTrail,
    private readonly prompts: PromptsService,
    private readonly versions: PromptsRepository,
    private readonly outbox: EventOutbox,
    private readonly testCases: TestCasesRepository,
    private readonly testRuns: TestRunsReader,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Its evals are requested by the outbox once the submit commits; their failure never fails the
   * submit. One autocommitted statement (PromptsRepository.submitInOneStatement) when the caller
   * may and the version is a draft, then the chain; otherwise a transaction, which answers why.
   */
  async submitVersion(actor: AuthenticatedUser, versionId: string): Promise<VersionView> {
    const entry = this.audit.versionEntryForStatement('version.submitted', versionId, actor.email);
    const consumption = { consumer: OUTBOX_CONSUMERS.evalsOnSubmit, input: { v: 1, version_id: versionId, actor_id: actor.id } };
    const done = await this.versions.submitInOneStatement(this.dataSource.manager, {
      versionId, userId: actor.id, roles: EDITOR_OR_ABOVE, from: SUBMITTED_FROM, to: SUBMITTED_TO, eventId: randomUUID(),
      actorEmail: actor.email, consumption, lease: OWN_CONSUMPTION_LEASE, entry,
    });
    if (done.outcome === 'in_transaction') return this.submitChecked(actor, versionId);
    this.outbox.committed([{
      id: done.event.id, type: 'version.submitted', payload: done.event.payload, subscribed: done.event.subscribed, consumptions: [consumption],
    }]);
    await this.audit.chainAfterStatement(done.target.prompt.workspaceId);
    return presentVersion(done.version, done.target.lastEval, peopleOf(done.target.people, actor));
  }

  /** A submit in a transaction: 404, 403 and 409 as they apply, and the submit when none does (a race the statement lost). */
  private async submitChecked(actor: AuthenticatedUser, versionId: string): Promise<VersionView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      const target = await this.lockTarget(manager, actor.id, versionId, 'editor');
      const { prompt, version } = target;
      const submitted = await this.versions.markSubmitted(manager, versionId, transition(version.status, 'submit'));
      audit({
        workspaceId: prompt.workspaceId, action: 'version.submitted', resourceType: 'version', resourceId: versionId,
        actorEmail: actor.email, extra: { version_num: version.versionNum, prompt_key: prompt.key },
      });
      await this.outbox.versionEventOf(manager, 'version.submitted', eventContext(target, submitted), actor, null, [
        { consumer: OUTBOX_CONSUMERS.evalsOnSubmit, input: { v: 1, version_id: versionId, actor_id: actor.id } },
      ]);
      return presentVersion(submitted, target.lastEval, peopleOf(target.people, actor));
    });
  }

  async approveVersion(actor: AuthenticatedUser, versionId: string, body: { note?: string; overrideEval?: boolean }): Promise<VersionView> {
    const note = body.note || null;
    return this.audit.transaction(async ({ manager, audit }) => {
      const target = await this.lockTarget(manager, actor.id, versionId, 'viewer');
      const { prompt, version, environment, role: actorRole } = target;
      const decision = decideApproval({
        actorId: actor.id, actorRole, requireReview: environment.requireReview, liveVersionId: prompt.liveVersionId,
        version: { status: version.status, proposedBy: version.proposedBy, baseVersionId: version.baseVersionId },
        gate: { ...(await this.gateOf(manager, environment, versionId)), override: body.overrideEval === true },
      });
      if (!decision.ok) throw decision.refusal;
      const tests = await this.testGateOf(manager, environment, versionId, {
        liveVersionId: prompt.liveVersionId, override: body.overrideEval === true, overrideAllowed: roleAtLeast(actorRole, 'admin'),
      });
      if (!tests.ok) throw tests.refusal;
      const went = await this.goLive(manager, prompt, version.id, target.live, { approvedBy: actor.id, note }, target.lastEval, peopleOf(target.people, actor));
      audit({
        workspaceId: prompt.workspaceId, action: 'version.approved', resourceType: 'version', resourceId: versionId,
        actorEmail: actor.email,
        extra: {
          version_num: version.versionNum, prompt_key: prompt.key, ...(note ? { note } : {}), ...gateAudit(decision.gate), ...testGateAudit(tests),
        },
      });
      await this.outbox.versionEventOf(manager, 'version.approved', eventContext(target, went.version), actor, note, liveSnapshot(went));
      return went.view;
    });
  }

  async rejectVersion(actor: AuthenticatedUser, versionId: string, note: string): Promise<VersionView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      const target = await this.lockTarget(manager, actor.id, versionId, 'reviewer');
      const { prompt, version } = target;
      const rejected = await this.versions.markRejected(manager, versionId, transition(version.status, 'reject'), note, actor.id);
      audit({
        workspaceId: prompt.workspaceId, action: 'version.rejected', resourceType: 'version', resourceId: versionId,
        actorEmail: actor.email, extra: { version_num: version.versionNum, prompt_key: prompt.key, note },
      });
      await this.outbox.versionEventOf(manager, 'version.rejected', eventContext(target, rejected), actor, note);
      return presentVersion(rejected, target.lastEval, peopleOf(target.people, actor));
    });
  }

  async quickApproveVersion(actor: AuthenticatedUser, versionId: string): Promise<VersionView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      const target = await this.lockTarget(manager, actor.id, versionId, 'viewer');
      const { prompt, version, environment, role: actorRole } = target;
      const decision = decideQuickApproval({
        actorId: actor.id, actorRole, requireReview: environment.requireReview, liveVersionId: prompt.liveVersionId,
        developmentMode: this.config.APP_ENV === 'development', environmentProtected: environment.isProtected,
        version: { status: version.status, proposedBy: version.proposedBy, baseVersionId: version.baseVersionId },
        gate: await this.gateOf(manager, environment, versionId),
      });
      if (!decision.ok) throw decision.refusal;
      const went = await this.goLive(manager, prompt, version.id, target.live, { approvedBy: actor.id, note: null }, target.lastEval, peopleOf(target.people, actor));
      audit({
        workspaceId: prompt.workspaceId, action: 'version.approved', resourceType: 'version', resourceId: versionId,
        actorEmail: actor.email,
        extra: { version_num: version.versionNum, prompt_key: prompt.key, quick_approve: true, ...gateAudit(decision.gate) },
      });
      await this.outbox.versionEventOf(manager, 'version.approved', eventContext(target, went.version), actor, null, liveSnapshot(went));
      return went.view;
    });
  }

  /** A new version repeating the content (or messages) and config of one that was live before, live at once: history stays linear. */
  async rollback(actor: AuthenticatedUser, promptId: string, body: { versionNum: number; note?: string }): Promise<VersionView> {
    const note = body.note || null;
    return this.audit.transaction(async (work) => {
      const { manager, audit } = work;
      await this.prompts.loadPromptForUser(actor.id, promptId, 'reviewer', manager);
      await this.lockPrompt(manager, promptId);
      const target = await this.versions.findVersionByNumber(manager, promptId, body.versionNum);
      if (!target) throw new NotFoundError(`Version ${body.versionNum} of this prompt`);
      const allowed = decideRollbackTarget({ versionNum: target.versionNum, status: target.status, liveFrom: target.liveFrom });
      if (!allowed.ok) throw allowed.refusal;
      const created = await this.prompts.proposeVersion(work, {
        promptId, body: bodyOf(target), config: target.config, actor, rollbackOfVersionId: target.id,
        commitMessage: `Rollback to version ${target.versionNum}`,
      });
      const prompt = await this.versions.getPrompt(promptId, manager);
      const live = prompt.liveVersionId ? await this.versions.getVersion(prompt.liveVersionId, manager) : null;
      const went = await this.goLive(manager, prompt, created.id, live, { approvedBy: actor.id, note }, null, peopleOf([], actor));
      audit({
        workspaceId: prompt.workspaceId, action: 'version.rollback', resourceType: 'version', resourceId: created.id,
        actorEmail: actor.email,
        extra: { version_num: created.versionNum, rolled_back_to: target.versionNum, prompt_key: prompt.key, note },
      });
      await this.outbox.versionEvent(manager, 'version.rollback', created.id, actor, note, liveSnapshot(went));
      return went.view;
    });
  }

  /** Proposes the prompt's live content (or messages) and config for review in another environment of the workspace. */
  async promote(actor: AuthenticatedUser, promptId: string, targetEnvironmentId: string): Promise<VersionView> {
    return this.audit.transaction(async (work) => {
      const { manager, audit } = work;
      const { prompt: source, environment: from } = await this.prompts.loadPromptForUser(actor.id, promptId, 'editor', manager);
      if (targetEnvironmentId === from.id) {
        throw new ValidationError('The prompt is already in that environment: promote to another one.', [
          { field: 'target_environment_id', messages: ['target_environment_id must differ from the prompt\'s environment'] },
        ]);
      }
      const to = await manager.findOneBy(EnvironmentEntity, { id: targetEnvironmentId });
      if (!to || to.workspaceId !== source.workspaceId) throw new NotFoundError('Environment');
      if (!source.liveVersionId) throw new ConflictError('The prompt has no live version to promote.', 'no_live_version');
      const live = await this.versions.getVersion(source.liveVersionId, manager);
      const proposal = {
        body: bodyOf(live), config: live.config, actor, status: 'pending_review' as const,
        commitMessage: `Promoted from ${from.name} version ${live.versionNum}`,
      };
      const version = await this.proposeInEnvironment(work, to, source, proposal);
      const copied = await this.copyTestCases(manager, source.id, version.promptId);
      audit({
        workspaceId: source.workspaceId, action: 'version.promoted', resourceType: 'version', resourceId: version.id,
        actorEmail: actor.email,
        extra: {
          prompt_key: source.key, version_num: version.versionNum, source_version_num: live.versionNum,
          from_environment: from.id, from_environment_name: from.name, to_environment: to.id, to_environment_name: to.name,
          test_cases_copied: copied,
        },
      });
      await this.outbox.versionEvent(manager, 'version.submitted', version.id, actor);
      return this.prompts.presentVersionOf(version, manager, actor);
    });
  }

  private async proposeInEnvironment(
    work: AuditedWork,
    environment: EnvironmentEntity,
    source: PromptEntity,
    proposal: Omit<Parameters<PromptsService['proposeVersion']>[1], 'promptId'> & { config: ModelConfig },
  ): Promise<PromptVersionEntity> {
    const { manager } = work;
    const onExisting = (existing: PromptEntity) => {
      if (existing.type !== source.type) {
        throw new ConflictError(
          `"${source.key}" is a ${existing.type} prompt in ${environment.name}; a ${source.type} prompt cannot be promoted onto it.`,
          'prompt_type_mismatch',
        );
      }
      return this.prompts.proposeVersion(work, { ...proposal, promptId: existing.id });
    };
    const existing = await this.versions.findPromptByKey(environment.id, source.key, manager);
    if (existing) return onExisting(existing);
    try {
      const created = await this.prompts.createPrompt(work, { ...proposal, environment, key: source.key, description: source.description });
      return created.version;
    } catch (err) {
      // A concurrent promotion created the prompt first: propose on it instead.
      if (!(err instanceof ConflictError) || err.code !== 'conflict') throw err;
      const raced = await this.versions.findPromptByKey(environment.id, source.key, manager);
      if (!raced) throw err;
      return onExisting(raced);
    }
  }

  /**
   * Makes the version approved and the prompt's live version, and archives `live`, the one it
   * replaces. The caller holds the prompt's row lock and has decided the version may go live on
   * what is live now.
   */
  private async goLive(
    manager: EntityManager,
    prompt: PromptEntity,
    versionId: string,
    live: { id: string; status: VersionStatus; liveFrom: Date | null } | null,
    change: { approvedBy: string; note: string | null },
    lastEval: LastEval | null,
    people: PeopleById,
  ): Promise<WentLive> {
    const version = await this.versions.goLive(manager, {
      promptId: prompt.id, versionId, previous: live, supersededStatus: live ? transition(live.status, 'supersede') : null,
      approvedBy: change.approvedBy, note: change.note,
    });
    return {
      version,
      view: presentVersion(version, lastEval, people),
      snapshot: {
        v: 1, prompt_id: prompt.id, environment_id: prompt.environmentId, key: prompt.key,
        version_id: version.id, version_num: version.versionNum, type: prompt.type, content: version.content, messages: version.messages,
        config: version.config, live_from: (version.liveFrom as Date).toISOString(),
      },
    };
  }

  /**
   * The version a decision is about, under its prompt's row lock (review_target): `404` for an
   * unknown version and one of a workspace the caller is not in, `403` below `minRole`.
   */
  private async lockTarget(manager: EntityManager, userId: string, versionId: string, minRole: Role): Promise<LockedTarget> {
    const target = await this.versions.reviewTarget(manager, versionId, userId, rolesAtLeast(minRole));
    if (!target || target.role === null) throw new NotFoundError('Version');
    if (!target.locked) throw new ForbiddenError(`This needs the ${minRole} role or higher in the workspace.`);
    return target;
  }

  /** Locks the prompt row for the rest of the transaction. */
  private async lockPrompt(manager: EntityManager, promptId: string): Promise<void> {
    if (!(await this.versions.lockPrompt(manager, promptId))) throw new NotFoundError('Prompt');
  }

  /** The environment's gate settings and the version's newest succeeded evaluation of each mode. */
  private async gateOf(manager: EntityManager, environment: EnvironmentEntity, versionId: string) {
    const evals = environment.evalRequired ? await this.versions.newestSucceededEvals(manager, versionId) : [];
    return {
      evalRequired: environment.evalRequired,
      threshold: environment.evalPassThreshold,
      judgeConfigured: environment.judgeProvider !== null,
      evals,
    };
  }

  /**
   * The test gate, after the eval gate (API.md): where the environment requires tests, the newest
   * succeeded run of the version against the version live now decides. The audit of an override
   * names the version's newest run of any status.
   */
  private async testGateOf(
    manager: EntityManager,
    environment: EnvironmentEntity,
    versionId: string,
    approval: { liveVersionId: string | null; override: boolean; overrideAllowed: boolean },
  ): Promise<TestGateDecision> {
    if (!environment.testsRequired) return { ok: true, gated: false, overridden: false, runId: null };
    const decision = decideTestGate({
      testsRequired: true, maxRegressions: environment.maxRegressions, liveVersionId: approval.liveVersionId,
      runs: await this.testRuns.succeededRunsOf(manager, versionId), override: approval.override, overrideAllowed: approval.overrideAllowed,
    });
    if (decision.ok && decision.overridden) return { ...decision, runId: await this.testRuns.newestRunIdOf(manager, versionId) };
    return decision;
  }

  /** Copies the source prompt's test cases the target lacks (by name), as many as the target has room for. */
  private async copyTestCases(manager: EntityManager, sourcePromptId: string, targetPromptId: string): Promise<number> {
    const room = MAX_TEST_CASES_PER_PROMPT - (await this.testCases.countOf(manager, targetPromptId));
    return this.testCases.copyMissing(manager, sourcePromptId, targetPromptId, room);
  }
}

/** The live snapshot consumer of a version that went live. */
function liveSnapshot(went: WentLive): OutboxConsumption[] {
  return [{ consumer: OUTBOX_CONSUMERS.liveSnapshot, input: went.snapshot }];
}

/** The audit record of the test gate: the run it passed on, or the override and the version's newest run. */
function testGateAudit(decision: TestGateDecision & { ok: true }): Record<string, unknown> {
  if (!decision.gated) return {};
  return decision.overridden ? { override_tests: true, test_run_id: decision.runId } : { test_run_id: decision.runId };
}

/** The audit record of the eval gate: the score it counted, and whether an admin overrode it. */
function gateAudit(gate: EvalGatePass): Record<string, unknown> {
  if (!gate.gated) return {};
  return { score: gate.score, threshold: gate.threshold, ...(gate.overridden ? { override_eval: true } : {}) };
}
