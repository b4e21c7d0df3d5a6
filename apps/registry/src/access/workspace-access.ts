import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ForbiddenError, NotFoundError, roleAtLeast, type Role } from '#domain';
import { EnvironmentEntity, MembershipEntity } from '#persistence';

/**
 * Who may do what in a workspace. Every workspace-scoped endpoint goes through here: a caller who
 * is not a member gets `404` (the workspace's existence never leaks), a member below the needed
 * role gets `403`. Pass the transaction's manager to check inside a transaction.
 */
@Injectable()
export class WorkspaceAccess {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's role in the workspace, or null when not a member. */
  async roleOf(userId: string, workspaceId: string, manager: EntityManager = this.dataSource.manager): Promise<Role | null> {
    const membership = await manager.findOne(MembershipEntity, { where: { workspaceId, userId }, select: { role: true } });
    return membership?.role ?? null;
  }

  /** The caller's role, at least `minRole`; else `404` for a non-member and `403` for a lower role. */
  async requireRole(userId: string, workspaceId: string, minRole: Role, manager?: EntityManager): Promise<Role> {
    return this.check(await this.roleOf(userId, workspaceId, manager), minRole, 'Workspace');
  }

  /**
   * The environment, when the caller holds at least `minRole` in its workspace; an unknown
   * environment and one of another workspace are both `404`.
   */
  async requireEnvironmentRole(
    userId: string,
    environmentId: string,
    minRole: Role,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<EnvironmentEntity> {
    const environment = await manager.findOneBy(EnvironmentEntity, { id: environmentId });
    if (!environment) throw new NotFoundError('Environment');
    this.check(await this.roleOf(userId, environment.workspaceId, manager), minRole, 'Environment');
    return environment;
  }

  private check(role: Role | null, minRole: Role, what: string): Role {
    if (role === null) throw new NotFoundError(what);
    if (!roleAtLeast(role, minRole)) throw new ForbiddenError(`This needs the ${minRole} role or higher in the workspace.`);
    return role;
  }
}
