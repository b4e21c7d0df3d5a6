import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, loadRegistryConfig, prepareEnvironment } from '#config';
import { checkEmail, hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '#domain';
import { createDataSource, UserEntity } from '#persistence';
import { AuditTrail } from '../apps/registry/src/audit/audit-trail.js';
import { isUniqueViolation } from '../apps/registry/src/common/pg-errors.js';
import { createWorkspaceWithDefaults, personalWorkspaceName } from '../apps/registry/src/workspaces/create-workspace.js';
import { describeError } from './console-lines.js';

/** What the operator got wrong: printed as is, exit 1. */
class Refused extends Error {}

/** The password of ADMIN_PASSWORD_FILE (less one trailing newline), or a random one to print once. */
function passwordFrom(env: NodeJS.ProcessEnv): { password: string; generated: boolean } {
  const file = env.ADMIN_PASSWORD_FILE;
  if (!file) return { password: randomBytes(18).toString('base64url'), generated: true };
  let password: string;
  try {
    password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new Refused(`ADMIN_PASSWORD_FILE=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new Refused(`the password in ADMIN_PASSWORD_FILE must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
  }
  return { password, generated: false };
}

/**
 * The first administrator of a server where signup is closed (production's default):
 * `node dist/scripts/create-admin.js <email>` (or ADMIN_EMAIL) creates the account and its personal
 * workspace, audited as signup is, connecting as DATABASE_URL like the registry does.
 */
async function createAdmin(): Promise<void> {
  prepareEnvironment();
  const config = loadRegistryConfig(process.env);
  const raw = process.argv[2] ?? process.env.ADMIN_EMAIL;
  if (!raw) throw new Refused('usage: create-admin.js <email> (or set ADMIN_EMAIL)');
  const check = checkEmail(raw);
  if (!check.ok) throw new Refused(`the email is refused: ${check.message}`);
  const email = check.email;
  const { password, generated } = passwordFrom(process.env);
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'promptgate-create-admin' });
  await dataSource.initialize();
  try {
    const exists = `an account with ${email} already exists: nothing was changed`;
    if (await dataSource.manager.existsBy(UserEntity, { email })) throw new Refused(exists);
    const passwordHash = await hashPassword(password, config.PASSWORD_SCRYPT_N);
    const workspace = await new AuditTrail(dataSource).transaction(async (work) => {
      let user: UserEntity;
      try {
        user = await work.manager.save(work.manager.create(UserEntity, { email, name: null, passwordHash }));
      } catch (err) {
        if (isUniqueViolation(err, 'users_email_key')) throw new Refused(exists);
        throw err;
      }
      const created = await createWorkspaceWithDefaults(work, {
        name: personalWorkspaceName(user), owner: user, isPersonal: true,
      });
      return created.workspace;
    });
    console.log(`[create-admin] created ${email}, owner of the workspace "${workspace.name}" (${workspace.id})`);
    if (generated) console.log(`[create-admin] password (shown only now): ${password}`);
  } finally {
    await dataSource.destroy();
  }
}

createAdmin().then(
  () => process.exit(0),
  (err: unknown) => {
    const known = err instanceof Refused || err instanceof ConfigError;
    console.error(known ? `[create-admin] ${err.message}` : `[create-admin] failed: ${describeError(err)}`);
    process.exit(1);
  },
);
