import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MembershipEntity, UserEntity } from '#persistence';

/** Accounts and the workspaces they belong to. The password hash is read only where a login checks it. */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  emailTaken(email: string): Promise<boolean> {
    return this.dataSource.manager.existsBy(UserEntity, { email });
  }

  insert(manager: EntityManager, user: Pick<UserEntity, 'email' | 'name' | 'passwordHash'>): Promise<UserEntity> {
    return manager.save(manager.create(UserEntity, user));
  }

  find(userId: string): Promise<UserEntity | null> {
    return this.dataSource.manager.findOneBy(UserEntity, { id: userId });
  }

  /** The accounts stored under any of the spellings, with their password hashes. */
  findForLogin(emails: string[]): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email IN (:...emails)', { emails })
      .getMany();
  }

  /** Replaces the hash unless it changed since it was read (a concurrent change wins). */
  async replaceHash(userId: string, readHash: string, newHash: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE users SET password_hash = $1, updated_at = now() WHERE id = $2 AND password_hash = $3`,
      [newHash, userId, readHash],
    );
  }

  /** The user's memberships with their workspaces, oldest first. */
  membershipsOf(userId: string): Promise<MembershipEntity[]> {
    return this.dataSource.manager.find(MembershipEntity, {
      where: { userId },
      relations: { workspace: true },
      order: { createdAt: 'ASC', workspaceId: 'ASC' },
    });
  }
}
