import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import {
  ConflictError, hashPassword, normalizeEmail, RateLimitedError, UnauthorizedError, verifyPassword,
} from '#domain';
import { MembershipEntity, UserEntity } from '#persistence';
import { AuditService } from '../audit/audit.service.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { isUniqueViolation } from '../common/pg-errors.js';
import { createWorkspaceWithDefaults, personalWorkspaceName } from '../workspaces/create-workspace.js';
import { toWorkspaceView } from '../workspaces/workspace.view.js';
import type { LoginDto } from './dto/login.dto.js';
import type { SignupDto } from './dto/signup.dto.js';
import { LoginAttempts } from './login-attempts.service.js';
import { toUserView } from './user.view.js';

const EMAIL_TAKEN = 'An account with this email already exists.';
// One message for an unknown email and a wrong password, so login does not reveal who has an account.
const LOGIN_MISMATCH = 'The email or password is incorrect.';

@Injectable()
export class IdentityService {
  /** Verified against when the email is unknown, so that case costs as long as a wrong password. */
  private readonly decoyHash = hashPassword(randomBytes(32).toString('base64url'));

  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly loginAttempts: LoginAttempts,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async signup(dto: SignupDto) {
    const email = normalizeEmail(dto.email);
    if (await this.dataSource.manager.existsBy(UserEntity, { email })) throw new ConflictError(EMAIL_TAKEN);
    const passwordHash = await hashPassword(dto.password);
    const user = await this.dataSource.transaction(async (manager) => {
      let created: UserEntity;
      try {
        created = await manager.save(manager.create(UserEntity, { email, name: dto.name ?? null, passwordHash }));
      } catch (err) {
        if (isUniqueViolation(err, 'users_email_key')) throw new ConflictError(EMAIL_TAKEN);
        throw err;
      }
      await createWorkspaceWithDefaults(manager, this.audit, {
        name: personalWorkspaceName(created), owner: created, isPersonal: true,
      });
      return created;
    });
    return { user: toUserView(user), access_token: this.issueToken(user.id) };
  }

  async login(dto: LoginDto) {
    const email = normalizeEmail(dto.email);
    const wait = await this.loginAttempts.retryAfterSeconds(email);
    if (wait > 0) throw new RateLimitedError(wait, `Too many failed logins for this email. Try again in ${wait} seconds.`);
    const user = await this.dataSource.getRepository(UserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email })
      .getOne();
    const matches = await verifyPassword(dto.password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !matches) {
      await this.loginAttempts.recordFailure(email);
      throw new UnauthorizedError(LOGIN_MISMATCH);
    }
    await this.loginAttempts.clear(email);
    return { access_token: this.issueToken(user.id), user: toUserView(user), expires_in: this.config.JWT_TTL_SECONDS };
  }

  async me(userId: string) {
    const user = await this.dataSource.manager.findOneBy(UserEntity, { id: userId });
    if (!user) throw new UnauthorizedError('The account of this access token no longer exists.');
    const memberships = await this.dataSource.manager.find(MembershipEntity, {
      where: { userId },
      relations: { workspace: true },
      order: { createdAt: 'ASC', workspaceId: 'ASC' },
    });
    return {
      user: toUserView(user),
      memberships: memberships.map((m) => ({ workspace: toWorkspaceView(m.workspace!), role: m.role })),
    };
  }

  private issueToken(userId: string): string {
    return this.jwt.sign({ sub: userId });
  }
}
