import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashPassword, normalizeEmail } from '#domain';
import { UserEntity } from '#persistence';
import { AuditTrail } from '../audit/audit-trail.js';
import { isUniqueViolation } from '../common/pg-errors.js';
import { createWorkspaceWithDefaults, personalWorkspaceName } from '../workspaces/create-workspace.js';

export interface SeedResult {
  created: boolean;
  email: string;
  /** Present only when the admin was created now: shown once, never stored in clear. */
  password?: string;
}

/**
 * Creates the development admin (with a random strong password) and its personal workspace, unless
 * that email already has an account. Safe to run on every start, and by two starts at once.
 * Needs only a DataSource, so `npm start` calls it without booting Nest.
 */
export async function seedDevAdmin(dataSource: DataSource, email: string): Promise<SeedResult> {
  const normalized = normalizeEmail(email);
  if (await dataSource.manager.existsBy(UserEntity, { email: normalized })) return { created: false, email: normalized };
  const password = randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  try {
    await new AuditTrail(dataSource).transaction(async (work) => {
      const user = await work.manager.save(work.manager.create(UserEntity, { email: normalized, name: 'Dev Admin', passwordHash }));
      await createWorkspaceWithDefaults(work, {
        name: personalWorkspaceName(user), owner: user, isPersonal: true,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_key')) return { created: false, email: normalized };
    throw err;
  }
  return { created: true, email: normalized, password };
}
