import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '#domain';
import { MembershipEntity, UserEntity } from '#persistence';
import { exactTimestampSql, KeysetWindow, type Keyset, type Page, type PageRequest } from '../common/pagination.js';

/** A membership with its user, as lists and answers show it; `position_at` is its keyset position. */
export interface MemberRow {
  user_id: string;
  email: string;
  name: string | null;
  role: Role;
  created_at: Date;
  position_at: string;
}

const MEMBER_COLUMNS = `m.user_id, u.email, u.name, m.role, m.created_at, ${exactTimestampSql('m.created_at')} AS position_at`;

/** Oldest member first. */
const MEMBER_ORDER: Keyset<readonly ['timestamp', 'uuid']> = {
  columns: ['m.created_at', 'm.user_id'], shape: ['timestamp', 'uuid'], direction: 'ASC',
};

/** A workspace's memberships and the users they name. */
@Injectable()
export class MembersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list<Item>(workspaceId: string, page: PageRequest, present: (row: MemberRow) => Item): Promise<Page<Item>> {
    const window = new KeysetWindow(MEMBER_ORDER, page);
    const params: unknown[] = [workspaceId];
    const after = window.afterSql(params);
    const rows = (await this.dataSource.query(
      `SELECT ${MEMBER_COLUMNS}
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.workspace_id = $1${after ? ` AND ${after}` : ''}
        ORDER BY ${window.orderSql()}
        LIMIT ${window.limitSql(params)}`,
      params,
    )) as MemberRow[];
    return window.pageOf(rows, (r) => [r.position_at, r.user_id], present);
  }

  /** A membership the caller's transaction has just written. */
  async find(manager: EntityManager, workspaceId: string, userId: string): Promise<MemberRow> {
    const [row] = (await manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.workspace_id = $1 AND m.user_id = $2`,
      [workspaceId, userId],
    )) as MemberRow[];
    return row;
  }

  findUserByEmail(manager: EntityManager, email: string): Promise<Pick<UserEntity, 'id' | 'email'> | null> {
    return manager.findOne(UserEntity, { where: { email }, select: { id: true, email: true } });
  }

  isMember(manager: EntityManager, workspaceId: string, userId: string): Promise<boolean> {
    return manager.existsBy(MembershipEntity, { workspaceId, userId });
  }

  async insert(manager: EntityManager, workspaceId: string, userId: string, role: Role): Promise<void> {
    await manager.insert(MembershipEntity, { workspaceId, userId, role });
  }

  async updateRole(manager: EntityManager, workspaceId: string, userId: string, role: Role): Promise<void> {
    await manager.update(MembershipEntity, { workspaceId, userId }, { role });
  }

  async delete(manager: EntityManager, workspaceId: string, userId: string): Promise<void> {
    await manager.delete(MembershipEntity, { workspaceId, userId });
  }

  /** Locks the workspace's owner memberships, always in user order (so no deadlock), and counts them. */
  async lockOwners(manager: EntityManager, workspaceId: string): Promise<number> {
    const owners = (await manager.query(
      `SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'owner' ORDER BY user_id FOR UPDATE`,
      [workspaceId],
    )) as Array<{ user_id: string }>;
    return owners.length;
  }

  /** The member's role and email, its membership row-locked; null when not a member. */
  async lockMember(manager: EntityManager, workspaceId: string, userId: string): Promise<{ role: Role; email: string } | null> {
    const [target] = (await manager.query(
      `SELECT m.role, u.email FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.workspace_id = $1 AND m.user_id = $2 FOR UPDATE OF m`,
      [workspaceId, userId],
    )) as Array<{ role: Role; email: string }>;
    return target ?? null;
  }
}
