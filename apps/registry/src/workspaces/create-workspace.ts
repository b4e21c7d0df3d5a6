import type { EntityManager } from 'typeorm';
import { EnvironmentEntity, MembershipEntity, WorkspaceEntity } from '#persistence';
import type { AuditedWork } from '../audit/audit-trail.js';

/** The environments every new workspace starts with (API.md "Defaults"). */
export const DEFAULT_ENVIRONMENTS = [
  { name: 'development', isProtected: false, requireReview: false },
  { name: 'staging', isProtected: false, requireReview: false },
  { name: 'production', isProtected: true, requireReview: true },
] as const;

export const DEFAULT_EVAL_PASS_THRESHOLD = 7.0;

export interface NewWorkspace {
  name: string;
  owner: { id: string; email: string };
  isPersonal: boolean;
}

/**
 * The one way a workspace comes to exist (POST /workspaces, signup, the dev admin seed): the
 * workspace, its owner, the default environments and their audit entries, in the caller's
 * audited transaction. Plain function over its work so the seed can call it without Nest.
 */
export async function createWorkspaceWithDefaults(
  { manager, audit }: AuditedWork,
  input: NewWorkspace,
): Promise<{ workspace: WorkspaceEntity; environments: EnvironmentEntity[] }> {
  const workspace = await manager.save(manager.create(WorkspaceEntity, { name: input.name, isPersonal: input.isPersonal }));
  const actorEmail = input.owner.email;
  audit({
    workspaceId: workspace.id, action: 'workspace.created', resourceType: 'workspace', resourceId: workspace.id,
    actorEmail, extra: { name: workspace.name, is_personal: workspace.isPersonal },
  });
  await manager.insert(MembershipEntity, { workspaceId: workspace.id, userId: input.owner.id, role: 'owner' });
  audit({
    workspaceId: workspace.id, action: 'member.added', resourceType: 'member', resourceId: input.owner.id,
    actorEmail, extra: { email: input.owner.email, role: 'owner' },
  });
  const environments: EnvironmentEntity[] = [];
  for (const defaults of DEFAULT_ENVIRONMENTS) {
    const environment = await insertEnvironment(manager, {
      workspaceId: workspace.id, ...defaults, evalRequired: false, evalPassThreshold: DEFAULT_EVAL_PASS_THRESHOLD,
    });
    audit({
      workspaceId: workspace.id, action: 'environment.created', resourceType: 'environment', resourceId: environment.id,
      actorEmail, extra: { name: environment.name, is_protected: environment.isProtected },
    });
    environments.push(environment);
  }
  return { workspace, environments };
}

/**
 * Inserts an environment stamped with clock_timestamp() rather than the transaction's now(), so
 * environments made in one transaction keep their creation order in lists.
 */
export async function insertEnvironment(
  manager: EntityManager,
  values: Pick<EnvironmentEntity, 'workspaceId' | 'name' | 'isProtected' | 'requireReview' | 'evalRequired' | 'evalPassThreshold'>,
): Promise<EnvironmentEntity> {
  const result = await manager.createQueryBuilder()
    .insert()
    .into(EnvironmentEntity)
    .values({ ...values, createdAt: () => 'clock_timestamp()', updatedAt: () => 'clock_timestamp()' })
    .returning('id')
    .execute();
  const id = (result.identifiers[0] as { id: string }).id;
  return manager.findOneByOrFail(EnvironmentEntity, { id });
}

/** "Ana Lima's workspace", or the email's local part when the user gave no name. */
export function personalWorkspaceName(user: { email: string; name: string | null }): string {
  const who = user.name?.trim() || user.email.split('@')[0];
  return `${who}'s workspace`.slice(0, 200);
}
