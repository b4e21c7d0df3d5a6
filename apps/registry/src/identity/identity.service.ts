import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import {
  ConflictError, hashPassword, legacyEmailSpelling, normalizeEmail, normalizeEmailOrNull, passwordNeedsRehash,
  RateLimitedError, UnauthorizedError, verifyPassword,
} from '#domain';
import type { UserEntity } from '#persistence';
import { AuditTrail } from '../audit/audit-trail.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { isUniqueViolation } from '../common/pg-errors.js';
import { createWorkspaceWithDefaults, personalWorkspaceName } from '../workspaces/create-workspace.js';
import { toWorkspaceView } from '../workspaces/workspace.view.js';
import type { LoginDto } from './dto/login.dto.js';
import type { SignupDto } from './dto/signup.dto.js';
import { LoginAttempts } from './login-attempts.js';
import { toUserView } from './user.view.js';
import { UsersRepository } from './users.repository.js';

const EMAIL_TAKEN = 'An account with this email already exists.';
// One message for an unknown email and a wrong password, so login does not reveal who has an account.
const LOGIN_MISMATCH = 'The email or password is incorrect.';

@Injectable()
export class IdentityService {
  /** Verified against when the email is unknown, so that case costs as long as a wrong password. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly jwt: JwtService,
    private readonly audit: AuditTrail,
    private readonly loginAttempts: LoginAttempts,
    private readonly users: UsersRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {
    this.decoyHash = hashPassword(randomBytes(32).toString('base64url'), config.PASSWORD_SCRYPT_N);
  }

  async signup(dto: SignupDto) {
    const email = normalizeEmail(dto.email);
    if (await this.users.emailTaken(email)) throw new ConflictError(EMAIL_TAKEN);
    const passwordHash = await hashPassword(dto.password, this.config.PASSWORD_SCRYPT_N);
    const user = await this.audit.transaction(async (work) => {
      const { manager } = work;
      let created: UserEntity;
      try {
        created = await this.users.insert(manager, { email, name: dto.name ?? null, passwordHash });
      } catch (err) {
        if (isUniqueViolation(err, 'users_email_key')) throw new ConflictError(EMAIL_TAKEN);
        throw err;
      }
      await createWorkspaceWithDefaults(work, {
        name: personalWorkspaceName(created), owner: created, isPersonal: true,
      });
      return created;
    });
    return { user: toUserView(user), access_token: this.issueToken(user.id) };
  }

  async login(dto: LoginDto, client: string) {
    // An address refused by today's rule can still name an account stored before it (trim and lower case only).
    const normalized = normalizeEmailOrNull(dto.email);
    const legacy = legacyEmailSpelling(dto.email);
    const key = normalized ?? legacy;
    const admission = await this.loginAttempts.admit(key, client);
    if (!admission.admitted) {
      const wait = admission.retryAfterSeconds;
      throw new RateLimitedError(wait, admission.scope === 'email'
        ? `Too many failed logins for this email. Try again in ${wait} seconds.`
        : `Too many failed logins from this address. Try again in ${wait} seconds.`);
    }
    const candidates = [...new Set([normalized, legacy].filter((e): e is string => e !== null))];
    const users = await this.users.findForLogin(candidates);
    const user = users.find((u) => u.email === normalized) ?? users[0];
    const matches = await verifyPassword(dto.password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !matches) throw new UnauthorizedError(LOGIN_MISMATCH);
    await this.loginAttempts.succeeded(key, client);
    if (passwordNeedsRehash(user.passwordHash, this.config.PASSWORD_SCRYPT_N)) await this.upgradeHash(user, dto.password);
    return { access_token: this.issueToken(user.id), user: toUserView(user), expires_in: this.config.JWT_TTL_SECONDS };
  }

  /** Re-hashes at today's cost a password that just verified against an older hash; a concurrent change wins. */
  private async upgradeHash(user: UserEntity, password: string): Promise<void> {
    const upgraded = await hashPassword(password, this.config.PASSWORD_SCRYPT_N);
    await this.users.replaceHash(user.id, user.passwordHash, upgraded);
  }

  async me(userId: string) {
    const user = await this.users.find(userId);
    if (!user) throw new UnauthorizedError('The account of this access token no longer exists.');
    const memberships = await this.users.membershipsOf(userId);
    return {
      user: toUserView(user),
      memberships: memberships.map((m) => ({ workspace: toWorkspaceView(m.workspace!), role: m.role })),
    };
  }

  private issueToken(userId: string): string {
    return this.jwt.sign({ sub: userId });
  }
}
