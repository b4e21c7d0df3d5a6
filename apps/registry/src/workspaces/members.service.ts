import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ConflictError, ForbiddenError, NotFoundError, normalizeEmail, refuseMemberChange,
  type MemberChange, type Role,
} from '#domain';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { Page, PageRequest } from '../common/pagination.js';
import { isUniqueViolation } from '../common/pg-errors.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { MembersRepository, type MemberRow } from './members.repository.js';

function toMemberView(row: Omit<MemberRow, 'position_at'>) {
  return { user: { id: row.user_id, email: row.email, name: row.name }, role: row.role, created_at: row.created_at.toISOString() };
}
export type MemberView = ReturnType<typeof toMemberView>;

function refuse(change: MemberChange, actorRole: Role, ownerCount: number): void {
  switch (refuseMemberChange(actorRole, change, ownerCount)) {
    case null:
      return;
    case 'forbidden':
      throw new ForbiddenError('Managing members needs the admin role or higher.');
    case 'owner_only':
      throw new ForbiddenError('Only an owner may grant the owner role or change or remove an owner.');
    case 'last_owner':
      throw new ConflictError('A workspace must keep at least one owner.', 'last_owner');
  }
}

@Injectable()
export class MembersService {
  constructor(
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
    private readonly members: MembersRepository,
  ) {}

  async list(userId: string, workspaceId: string, page: PageRequest): Promise<Page<MemberView>> {
    await this.access.requireRole(userId, workspaceId, 'viewer');
    return this.members.list(workspaceId, page, toMemberView);
  }

  async add(actor: AuthenticatedUser, workspaceId: string, email: string, role: Role): Promise<MemberView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      const actorRole = await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      refuse({ kind: 'add', role }, actorRole, 0);
      const user = await this.members.findUserByEmail(manager, normalizeEmail(email));
      if (!user) throw new NotFoundError('User');
      if (await this.members.isMember(manager, workspaceId, user.id)) {
        throw new ConflictError('This user is already a member of the workspace.');
      }
      try {
        await this.members.insert(manager, workspaceId, user.id, role);
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('This user is already a member of the workspace.');
        throw err;
      }
      audit({
        workspaceId, action: 'member.added', resourceType: 'member', resourceId: user.id,
        actorEmail: actor.email, extra: { email: user.email, role },
      });
      return this.view(manager, workspaceId, user.id);
    });
  }

  async changeRole(actor: AuthenticatedUser, workspaceId: string, userId: string, role: Role): Promise<MemberView> {
    return this.audit.transaction(async ({ manager, audit }) => {
      const { actorRole, target, ownerCount } = await this.lockForChange(manager, actor, workspaceId, userId);
      refuse({ kind: 'change_role', from: target.role, to: role }, actorRole, ownerCount);
      if (target.role !== role) {
        await this.members.updateRole(manager, workspaceId, userId, role);
        audit({
          workspaceId, action: 'member.role_changed', resourceType: 'member', resourceId: userId,
          actorEmail: actor.email, extra: { email: target.email, from: target.role, to: role },
        });
      }
      return this.view(manager, workspaceId, userId);
    });
  }

  async remove(actor: AuthenticatedUser, workspaceId: string, userId: string): Promise<void> {
    await this.audit.transaction(async ({ manager, audit }) => {
      const { actorRole, target, ownerCount } = await this.lockForChange(manager, actor, workspaceId, userId);
      refuse({ kind: 'remove', from: target.role }, actorRole, ownerCount);
      await this.members.delete(manager, workspaceId, userId);
      audit({
        workspaceId, action: 'member.removed', resourceType: 'member', resourceId: userId,
        actorEmail: actor.email, extra: { email: target.email, role: target.role },
      });
    });
  }

  /**
   * Locks the workspace's owner memberships (always in one order, so no deadlock) before reading
   * anything: two concurrent demotions of the last two owners then run one after the other, and
   * the second sees one owner left.
   */
  private async lockForChange(manager: EntityManager, actor: AuthenticatedUser, workspaceId: string, userId: string) {
    const ownerCount = await this.members.lockOwners(manager, workspaceId);
    const actorRole = await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
    const target = await this.members.lockMember(manager, workspaceId, userId);
    if (!target) throw new NotFoundError('Member');
    return { actorRole, target, ownerCount };
  }

  private async view(manager: EntityManager, workspaceId: string, userId: string): Promise<MemberView> {
    return toMemberView(await this.members.find(manager, workspaceId, userId));
  }
}
