import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { builtFile } from './support/build.js';
import {
  TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, uniqueEmail, useRegistry, type RegistryHarness,
} from '../apps/registry/test/support/registry.js';

const run = promisify(execFile);

/** `node dist/scripts/create-admin.js` as docker-compose's registry container runs it: production, the services' role. */
async function createAdmin(h: RegistryHarness, args: string[], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'pg-create-admin-')); // no .env here, and production would not read one
  try {
    const { stdout, stderr } = await run(process.execPath, [builtFile('scripts/create-admin.js'), ...args], {
      cwd,
      env: {
        PATH: process.env.PATH, APP_ENV: 'production', DATABASE_URL: h.db.url,
        JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...env,
      },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function printedPassword(stdout: string): string {
  const m = /^\[create-admin\] password \(shown only now\): (\S+)$/m.exec(stdout);
  if (!m) throw new Error(`no password printed:\n${stdout}`);
  return m[1];
}

describe('create-admin (the first administrator where signup is closed)', () => {
  const h = useRegistry({ ALLOW_SIGNUP: 'false' });

  it('creates the account and its workspace, audited as signup is; the printed password logs in', async () => {
    const email = uniqueEmail('first-admin');
    await request(h.http).post('/api/v1/auth/signup').send({ email, password: 'a-long-password' }).expect(403);
    const result = await createAdmin(h, [` ${email.toUpperCase()} `]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`[create-admin] created ${email}, owner of the workspace "${email.split('@')[0]}'s workspace"`);
    const password = printedPassword(result.stdout);
    expect(password.length).toBeGreaterThanOrEqual(20);

    const login = await request(h.http).post('/api/v1/auth/login').send({ email, password }).expect(200);
    const me = await request(h.http).get('/api/v1/me').set('Authorization', `Bearer ${login.body.access_token}`).expect(200);
    expect(me.body.memberships).toEqual([expect.objectContaining({ role: 'owner', workspace: expect.objectContaining({ is_personal: true }) })]);
    const workspaceId = me.body.memberships[0].workspace.id as string;
    const audit = await h.asOwner('SELECT action, actor_email FROM audit_log WHERE workspace_id = $1 ORDER BY seq', [workspaceId]);
    expect(audit).toEqual([
      { action: 'workspace.created', actor_email: email },
      { action: 'member.added', actor_email: email },
      ...['development', 'staging', 'production'].map(() => ({ action: 'environment.created', actor_email: email })),
    ]);
    const [stored] = await h.asOwner('SELECT password_hash FROM users WHERE email = $1', [email]) as Array<{ password_hash: string }>;
    expect(stored.password_hash).not.toContain(password);
  });

  it('refuses an email that already has an account, changing nothing', async () => {
    const email = uniqueEmail('twice');
    expect((await createAdmin(h, [email])).code).toBe(0);
    const [before] = await h.asOwner('SELECT count(*)::int AS n FROM audit_log') as Array<{ n: number }>;
    const again = await createAdmin(h, [email.toUpperCase()]);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toBe(`[create-admin] an account with ${email} already exists: nothing was changed\n`);
    expect(await h.asOwner('SELECT count(*)::int AS n FROM audit_log')).toEqual([before]);
  });

  it('takes ADMIN_EMAIL and ADMIN_PASSWORD_FILE, and then prints no password', async () => {
    const email = uniqueEmail('from-env');
    const file = join(mkdtempSync(join(tmpdir(), 'pg-admin-pw-')), 'password');
    writeFileSync(file, 'chosen-by-the-operator\n', { mode: 0o600 });
    const result = await createAdmin(h, [], { ADMIN_EMAIL: email, ADMIN_PASSWORD_FILE: file });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('password');
    await request(h.http).post('/api/v1/auth/login').send({ email, password: 'chosen-by-the-operator' }).expect(200);
  });

  it.each([
    [[], {}, '[create-admin] usage: create-admin.js <email> (or set ADMIN_EMAIL)'],
    [['not-an-email'], {}, '[create-admin] the email is refused:'],
    [['ana\u200b@example.com'], {}, '[create-admin] the email is refused:'],
    [[uniqueEmail('weak')], { ADMIN_PASSWORD_FILE: '/nonexistent/pg-admin-password' }, '[create-admin] ADMIN_PASSWORD_FILE=/nonexistent/pg-admin-password cannot be read (ENOENT)'],
    [[uniqueEmail('nokey')], { JWT_SECRET: '' }, '[create-admin] Invalid configuration:\n  - JWT_SECRET is required'],
  ])('refuses %j %j with a plain message', async (args, env, message) => {
    const result = await createAdmin(h, args, env);
    expect(result.code).toBe(1);
    expect(result.stderr.startsWith(message)).toBe(true);
  });

  it('refuses a password file shorter than the signup rule', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pg-admin-pw-')), 'password');
    writeFileSync(file, 'short\n');
    const email = uniqueEmail('short');
    const result = await createAdmin(h, [email], { ADMIN_PASSWORD_FILE: file });
    expect(result.stderr).toBe('[create-admin] the password in ADMIN_PASSWORD_FILE must be 10 to 1024 characters\n');
    expect(await h.asOwner('SELECT 1 FROM users WHERE email = $1', [email])).toEqual([]);
  });
});
