import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashPassword, normalizeEmail } from '#domain';
import { UserEntity } from '#persistence';

export interface ResetResult {
  /** False when no account has that email (npm start creates it). */
  reset: boolean;
  email: string;
  /** The new password, present only when reset: shown once, stored only as its scrypt hash. */
  password?: string;
}

/** Gives the development admin a new random password, as strong as the one seedDevAdmin makes. */
export async function resetDevAdminPassword(dataSource: DataSource, email: string, scryptN: number): Promise<ResetResult> {
  const normalized = normalizeEmail(email);
  const password = randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password, scryptN);
  const result = await dataSource.manager.update(UserEntity, { email: normalized }, { passwordHash });
  if (!result.affected) return { reset: false, email: normalized };
  return { reset: true, email: normalized, password };
}
