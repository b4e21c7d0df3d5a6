import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ConflictError, ForbiddenError, NotFoundError, normalizeEmail, refuseMemberChange,
  type MemberChange, type Role,
} from '#domain';
import { MembershipEntity, UserEntity } from '#persistence';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { decodeCursor, exactTimestampSql, pageOf, type Page, type PageRequest } from '../common/pagination.js';
import { isUniqueViolation } from '../common/pg-errors.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';

interface MemberRow {
  user_id: string;
  email: string;
  name: string | null;
  role: Role;
  created_at: Date;
  position_at: string;
}

function toMemberView(row: Omit<MemberRow, 'position_at'>) {
  return { user: { id: row.user_id, email: row.email, name: row.name }, role: row.role, created_at: row.created_at.toISOString() };
}
export type MemberView = ReturnType<typeof toMemberView>;

const MEMBER_COLUMNS = `m.user_id, u.email, u.name, m.role, m.created_at, ${exactTimestampSql('m.created_at')} AS position_at`;

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
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
  ) {}

  async list(userId: string, workspaceId: string, page: PageRequest): Promise<Page<MemberView>> {
    await this.access.requireRole(userId, workspaceId, 'viewer');
    const after = decodeCursor(page.cursor, ['timestamp', 'uuid'] as const);
    const rows = (await this.dataSource.query(
      `SELECT ${MEMBER_COLUMNS}
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.workspace_id = $1
          AND ($2::timestamptz IS NULL OR (m.created_at, m.user_id) > ($2::timestamptz, $3::uuid))
        ORDER BY m.created_at, m.user_id
        LIMIT $4`,
      [workspaceId, after?.[0] ?? null, after?.[1] ?? null, page.limit + 1],
    )) as MemberRow[];
    return pageOf(rows, page.limit, (r) => [r.position_at, r.user_id], toMemberView);
  }

  async add(actor: AuthenticatedUser, workspaceId: string, email: string, role: Role): Promise<MemberView> {
    return this.dataSource.transaction(async (manager) => {
      const actorRole = await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      refuse({ kind: 'add', role }, actorRole, 0);
      const user = await manager.findOne(UserEntity, { where: { email: normalizeEmail(email) }, select: { id: true, email: true } });
      if (!user) throw new NotFoundError('User');
      if (await manager.existsBy(MembershipEntity, { workspaceId, userId: user.id })) {
        throw new ConflictError('This user is already a member of the workspace.');
      }
      try {
        await manager.insert(MembershipEntity, { workspaceId, userId: user.id, role });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('This user is already a member of the workspace.');
        throw err;
      }
      await this.audit.append(manager, {
        workspaceId, action: 'member.added', resourceType: 'member', resourceId: user.id,
        actorEmail: actor.email, extra: { email: user.email, role },
      });
      return this.view(manager, workspaceId, user.id);
    });
  }

  async changeRole(actor: AuthenticatedUser, workspaceId: string, userId: string, role: Role): Promise<MemberView> {
    return this.dataSource.transaction(async (manager) => {
      const { actorRole, target, ownerCount } = await this.lockForChange(manager, actor, workspaceId, userId);
      refuse({ kind: 'change_role', from: target.role, to: role }, actorRole, ownerCount);
      if (target.role !== role) {
        await manager.update(MembershipEntity, { workspaceId, userId }, { role });
        await this.audit.append(manager, {
          workspaceId, action: 'member.role_changed', resourceType: 'member', resourceId: userId,
          actorEmail: actor.email, extra: { email: target.email, from: target.role, to: role },
        });
      }
      return this.view(manager, workspaceId, userId);
    });
  }

  async remove(actor: AuthenticatedUser, workspaceId: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { actorRole, target, ownerCount } = await this.lockForChange(manager, actor, workspaceId, userId);
      refuse({ kind: 'remove', from: target.role }, actorRole, ownerCount);
      await manager.delete(MembershipEntity, { workspaceId, userId });
      await this.audit.append(manager, {
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
    const owners = (await manager.query(
      `SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'owner' ORDER BY user_id FOR UPDATE`,
      [workspaceId],
    )) as Array<{ user_id: string }>;
    const actorRole = await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
    const [target] = (await manager.query(
      `SELECT m.role, u.email FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.workspace_id = $1 AND m.user_id = $2 FOR UPDATE OF m`,
      [workspaceId, userId],
    )) as Array<{ role: Role; email: string }>;
    if (!target) throw new NotFoundError('Member');
    return { actorRole, target, ownerCount: owners.length };
  }

  private async view(manager: EntityManager, workspaceId: string, userId: string): Promise<MemberView> {
    const [row] = (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.workspace_id = $1 AND m.user_id = $2`,
      [workspaceId, userId],
    )) as MemberRow[];
    return toMemberView(row);
  }
}
