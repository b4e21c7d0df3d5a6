import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import request from 'supertest';
import { loadWorkerConfig } from '#config';
import { createWorker, type RunningWorker } from '../apps/eval-worker/src/app.factory.js';
import { bootRegistry, TEST_ENCRYPTION_KEY, TEST_PASSWORD, type RegistryHarness } from '../apps/registry/test/support/registry.js';
import { api, approve, makeTeam, submit, type Team } from '../apps/registry/test/support/review-flow.js';
import { ROOT } from './support/build.js';
import { startFakeProviders, type FakeProviders } from './support/fake-providers.js';
import { TEST_REDIS_URL } from './support/redis.js';

const BIN = join(ROOT, 'node_modules', '.bin', 'promptgate');
const CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;

interface Ran { code: number | null; stdout: string; stderr: string }

/** What a child process writes on stdout and stderr, and its exit code, once it closes. */
function outputOf(child: ChildProcessByStdio<Writable | null, Readable, Readable>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the installed `promptgate` bin (node_modules/.bin, linked by npm install from apps/cli) as a child process. */
function cli(args: string[], options: { cwd: string; env: Record<string, string>; input?: string }): Promise<Ran> {
  const child = spawn(BIN, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const ran = outputOf(child);
  child.stdin.end(options.input ?? '');
  return ran;
}

/**
 * Runs the bin on a pseudo-terminal (python3's pty module, which CI has), so it sees a TTY on
 * stdin, stdout and stderr. `password` is typed once the prompt shows, as a person would.
 */
function inTerminal(args: string[], options: { cwd: string; env: Record<string, string>; password?: string }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)', BIN, ...args], {
      cwd: options.cwd, env: { PATH: process.env.PATH ?? '', TERM: 'dumb', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let typed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.password !== undefined && !typed && stdout.includes('Password: ')) {
        typed = true;
        child.stdin.write(`${options.password}\r`);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, stdout, stderr: '' });
    });
  });
}

/** The one JSON object --json writes on standard output. */
const parsed = (ran: Ran) => {
  const lines = ran.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const FORMAL = 'You are a formal support agent for Acme. Answer every customer formally.';
const CASUAL = 'You are a friendly, casual support agent for Acme. Keep it relaxed.';
const FIXED = 'You are a formal support agent for Acme. Answer formally and kindly, in two sentences.';

/**
 * Issue 16, the CLI: the built `promptgate` run as a child process against a real registry (on
 * 127.0.0.1, its own database and Redis prefix), the real eval worker and the fake providers.
 */
describe('promptgate, the command line tool, against the real registry', () => {
  let registry: RegistryHarness;
  let worker: RunningWorker;
  let fake: FakeProviders;
  let t: Team;
  let url: string;
  let home: string;
  let dir: string;
  let editorEnv: Record<string, string>;
  let reviewerEnv: Record<string, string>;
  let tonePromptId: string;
  let billingPromptId: string;
  const http = () => registry.http;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'apps/cli/dist/main.js'))) throw new Error('apps/cli/dist/main.js is missing: run `npm run build` first (npm test does).');
    fake = await startFakeProviders();
    registry = await bootRegistry();
    await new Promise<void>((resolve) => registry.http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(registry.http.address() as { port: number }).port}`;
    worker = await createWorker(loadWorkerConfig({
      APP_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: registry.config.DATABASE_URL, REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: registry.redisPrefix, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, WORKER_HEALTH_PORT: '0', JUDGE_RETRY_BASE_MS: '20',
      ...fake.env,
    }));
    t = await makeTeam(registry.http);
    home = mkdtempSync(join(tmpdir(), 'promptgate-cli-'));
    dir = join(home, 'repo', 'prompts');
    editorEnv = { HOME: home, XDG_CONFIG_HOME: join(home, 'editor-config'), PROMPTGATE_REGISTRY_URL: url };
    reviewerEnv = { HOME: home, XDG_CONFIG_HOME: join(home, 'reviewer-config'), PROMPTGATE_REGISTRY_URL: url };

    // Live in production: support.tone v1 with two test cases, billing.refund v1 (a chat prompt).
    const tone = await request(http()).post(api(`/environments/${t.env.production}/prompts`)).set(t.editor.auth)
      .send({ key: 'support.tone', content: FORMAL, description: 'Support replies', config: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2 } }).expect(201);
    tonePromptId = tone.body.prompt.id;
    for (const body of [
      { name: 'late order', input: 'Where is my order 4471? It is late.', assertions: [{ type: 'contains', value: 'dear' }, { type: 'judge', value: 'addresses the customer formally' }] },
      { name: 'no slang', input: 'Can I change my address?', assertions: [{ type: 'not_contains', value: 'hey' }, { type: 'max_chars', value: 400 }] },
    ]) await request(http()).post(api(`/prompts/${tonePromptId}/test-cases`)).set(t.editor.auth).send(body).expect(201);
    await submit(http(), t.editor, tone.body.version.id);
    await approve(http(), t.reviewer, tone.body.version.id).expect(200);
    const billing = await request(http()).post(api(`/environments/${t.env.production}/prompts`)).set(t.editor.auth)
      .send({ key: 'billing.refund', type: 'chat', messages: [{ role: 'system', content: 'You handle refunds for {{company}}.' }, { role: 'placeholder', name: 'history' }] }).expect(201);
    billingPromptId = billing.body.prompt.id;
    await submit(http(), t.editor, billing.body.version.id);
    await approve(http(), t.reviewer, billing.body.version.id).expect(200);
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await registry?.close();
    await fake?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const asEditor = (args: string[], input?: string) => cli(args, { cwd: dir, env: editorEnv, input });
  const versionsOf = async (promptId: string) =>
    (await request(http()).get(api(`/prompts/${promptId}/versions`)).set(t.viewer.auth).expect(200)).body.items as { id: string; version_num: number; status: string }[];

  it('refuses every command before login with exit 3 and not_logged_in, in one line on stderr', async () => {
    mkdirSync(dir, { recursive: true });
    const ran = await asEditor(['prompts', 'list', '--env', 'production', '--json']);
    expect(ran.code).toBe(3);
    expect(parsed(ran)).toEqual({ ok: false, error: { code: 'not_logged_in', message: expect.stringContaining(url) } });
    expect(ran.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^promptgate: not_logged_in: /)]);
  });

  it('logs in with the password on standard input, keeping the token in a 0600 file in a 0700 dir; a wrong password is 401 unauthorized, exit 3', async () => {
    const wrong = await asEditor(['login', '--email', t.editor.user.email], 'not-the-password\n');
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/^promptgate: unauthorized \(HTTP 401\): /);
    expect(existsSync(join(home, 'editor-config', 'promptgate', 'credentials.json'))).toBe(false);

    const ran = await asEditor(['login', '--email', t.editor.user.email, '--json'], `${TEST_PASSWORD}\n`);
    expect(ran.code).toBe(0);
    expect(parsed(ran)).toMatchObject({ ok: true, registry_url: url, user: { email: t.editor.user.email } });
    const file = join(home, 'editor-config', 'promptgate', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'editor-config', 'promptgate')).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).not.toContain(TEST_PASSWORD);
    expect(ran.stdout + ran.stderr).not.toContain(TEST_PASSWORD);
  });

  it('logs the reviewer in with --token, checked against the registry first', async () => {
    const bad = await cli(['login', '--token', 'not.a.jwt', '--json'], { cwd: home, env: reviewerEnv });
    expect([bad.code, parsed(bad).error.code]).toEqual([3, 'unauthorized']);
    const ran = await cli(['login', '--token', t.reviewer.token], { cwd: home, env: reviewerEnv });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`logged in to ${url} as ${t.reviewer.user.email}`);
  });

  it('asks for --workspace when you have several, then pulls one file per prompt and the lock file', async () => {
    const ambiguous = await cli(['pull', '--env', 'production', dir], { cwd: home, env: editorEnv });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^promptgate: usage: you are a member of 2 workspaces: pass --workspace/);

    const ran = await cli(['pull', '--env', 'production', '--workspace', 'Team workspace', dir, '--json'], { cwd: home, env: editorEnv });
    expect(ran.code).toBe(0);
    expect(parsed(ran)).toMatchObject({ ok: true, environment: { id: t.env.production, name: 'production' } });
    const tone = readFileSync(join(dir, 'support.tone.prompt.yaml'), 'utf8');
    expect(tone).toContain(`content: ${FORMAL}`);
    expect(tone).toContain('name: late order');
    const billing = readFileSync(join(dir, 'billing.refund.prompt.yaml'), 'utf8');
    expect(billing).toContain('type: chat');
    expect(billing).toContain('name: history');
    const lock = JSON.parse(readFileSync(join(dir, '.promptgate.lock.json'), 'utf8'));
    expect(lock).toMatchObject({
      registry_url: url, workspace_id: t.ws, environment: { id: t.env.production, name: 'production' },
      prompts: { 'support.tone': { prompt_id: tonePromptId, version_num: 1, pushed: null }, 'billing.refund': { prompt_id: billingPromptId, version_num: 1 } },
    });

    const list = await asEditor(['prompts', 'list', '--json']);
    expect(parsed(list).prompts.map((p: { key: string; live_version_num: number }) => [p.key, p.live_version_num]).sort()).toEqual([['billing.refund', 1], ['support.tone', 1]]);
    const clean = await asEditor(['diff', '--exit-code']);
    expect([clean.code, clean.stdout.trim()]).toEqual([0, 'no changes against the registry']);
  });

  it('diffs an edited file against the live version in the API format; --exit-code exits 1 on changes', async () => {
    const file = join(dir, 'support.tone.prompt.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(FORMAL, CASUAL).replace('temperature: 0.2', 'temperature: 0.7'));
    const ran = await asEditor(['diff', '--json']);
    expect(ran.code).toBe(0);
    const tone = parsed(ran).files.find((f: { key: string }) => f.key === 'support.tone');
    expect(tone).toMatchObject({
      status: 'changed',
      diff: { base_version_num: 1, lines: [{ op: '-', text: FORMAL }, { op: '+', text: CASUAL }], added: 1, removed: 1, config_changes: [{ path: 'temperature', before: 0.2, after: 0.7 }] },
    });
    const text = await asEditor(['diff']);
    expect(text.stdout).toContain(`-${FORMAL}\n+${CASUAL}`);
    expect(text.stdout).not.toContain('\u001b['); // not a terminal: no colour
    const exitCode = await asEditor(['diff', '--exit-code']);
    expect(exitCode.code).toBe(1);
  });

  it('reports a moved base as a conflict, exit 1, and pushes nothing at all', async () => {
    // Someone ships billing.refund v2 through the API after our pull; we edit our copy of v1.
    const v2 = (await request(http()).post(api(`/prompts/${billingPromptId}/versions`)).set(t.editor.auth)
      .send({ messages: [{ role: 'system', content: 'You handle refunds for {{company}}, politely.' }] }).expect(201)).body.version.id;
    await submit(http(), t.editor, v2);
    await approve(http(), t.reviewer, v2).expect(200);
    const file = join(dir, 'billing.refund.prompt.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('You handle refunds for {{company}}.', 'You handle refunds and returns for {{company}}.'));
    const lockBefore = readFileSync(join(dir, '.promptgate.lock.json'), 'utf8');

    const ran = await asEditor(['push', '-m', 'Returns too', '--json']);
    expect(ran.code).toBe(1);
    const out = parsed(ran);
    expect(out).toMatchObject({ ok: false, error: { code: 'conflict' }, conflicts: [{ key: 'billing.refund', live_version_num: 2 }] });
    expect(ran.stderr).toMatch(/^promptgate: conflict: /);
    expect((await versionsOf(billingPromptId)).length).toBe(2);
    expect((await versionsOf(tonePromptId)).length).toBe(1); // the other, valid change was not pushed either
    expect(readFileSync(file, 'utf8')).toContain('refunds and returns');
    expect(readFileSync(join(dir, '.promptgate.lock.json'), 'utf8')).toBe(lockBefore);
    writeFileSync(file, original);
  });

  it('pushes the changed file as a new version on its base, syncs test cases by name, and records it in the lock', async () => {
    const file = join(dir, 'support.tone.prompt.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('- name: no slang', '- name: short answer\n    variables: {}\n    input: Thanks!\n    placeholders: {}\n    assertions:\n      - type: max_chars\n        value: 300\n  - name: no slang'));
    const ran = await asEditor(['push', '-m', 'Friendlier tone', '--json']);
    expect(ran.code).toBe(0);
    const out = parsed(ran);
    expect(out).toMatchObject({ ok: true, pushed: [{ key: 'support.tone', action: 'proposed', version_num: 2, base_version_num: 1 }], test_cases: { 'support.tone': { created: ['short answer'] } } });
    const version = (await request(http()).get(api(`/versions/${out.pushed[0].version_id}`)).set(t.viewer.auth).expect(200)).body;
    expect(version).toMatchObject({ status: 'draft', content: CASUAL, config: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.7 }, commit_message: 'Friendlier tone' });
    const cases = (await request(http()).get(api(`/prompts/${tonePromptId}/test-cases`)).set(t.viewer.auth).expect(200)).body.items;
    expect(cases.map((c: { name: string }) => c.name)).toEqual(['late order', 'no slang', 'short answer']);
    const lock = JSON.parse(readFileSync(join(dir, '.promptgate.lock.json'), 'utf8'));
    expect(lock.prompts['support.tone']).toMatchObject({ version_num: 1, pushed: { version_id: out.pushed[0].version_id, version_num: 2 } });
    expect(lock.last_push).toEqual(['support.tone']);

    const again = await asEditor(['push', '-m', 'Again']);
    expect([again.code, again.stdout.trim()]).toEqual([0, 'no prompt changed: nothing proposed']);
    expect((await versionsOf(tonePromptId)).length).toBe(2);
  });

  it('submits the pushed version, then fails the eval under the threshold with exit 1 and passes it above', async () => {
    const submitted = await asEditor(['submit', '--json']);
    expect(submitted.code).toBe(0);
    expect(parsed(submitted).versions).toEqual([expect.objectContaining({ key: 'support.tone', version_num: 2, status: 'pending_review' })]);

    await request(http()).patch(api(`/environments/${t.env.production}`)).set(t.admin.auth).send({ eval_pass_threshold: 10 }).expect(200);
    const under = await asEditor(['eval', '--json']);
    expect(under.code).toBe(1);
    const failed = parsed(under);
    expect(failed).toMatchObject({ ok: false, error: { code: 'eval_below_threshold' }, evals: [{ key: 'support.tone', mode: 'rules', status: 'succeeded', threshold: 10, passed: false }] });
    expect(failed.evals[0].score).toBeLessThan(10);

    await request(http()).patch(api(`/environments/${t.env.production}`)).set(t.admin.auth).send({ eval_pass_threshold: 1 }).expect(200);
    const over = await asEditor(['eval']);
    expect(over.code).toBe(0);
    expect(over.stdout).toMatch(/^pass eval support\.tone v2: score [\d.]+ at or above the threshold 1/);

    // A judge eval through the fake provider, with the key from the command line: 3 is under 5.
    fake.verdict = { score: 3, suggestions: ['Say who the customer is.'] };
    await request(http()).patch(api(`/environments/${t.env.production}`)).set(t.admin.auth).send({ eval_pass_threshold: 5 }).expect(200);
    const judged = await asEditor(['eval', 'support.tone', '--judge', 'openai', '--model', 'gpt-4o-mini', '--api-key', CANARY]);
    expect(judged.code).toBe(1);
    expect(judged.stdout).toBe('FAIL eval support.tone v2: score 3 under the threshold 5\n  - Say who the customer is.\n');
    expect(judged.stderr).toBe('promptgate: eval_below_threshold: score 3 under the threshold 5\n');
    expect(judged.stdout + judged.stderr).not.toContain(CANARY);
    const rulesWithKey = await asEditor(['eval', '--api-key', CANARY]);
    expect([rulesWithKey.code, rulesWithKey.stderr]).toEqual([2, expect.stringMatching(/^promptgate: usage: --model and --api-key go with --judge/)]);
  });

  it('fails the test run on the tone regression with exit 1, naming the regressed cases', async () => {
    const ran = await asEditor(['test', '--provider', 'openai', '--model', 'gpt-4o-mini', '--json'].concat([]), undefined);
    // No key given and none saved: the API refuses, exit 3.
    expect([ran.code, parsed(ran).error.code]).toEqual([3, 'provider_key_missing']);

    const regressed = await cli(['test', '--provider', 'openai', '--model', 'gpt-4o-mini', '--json'], { cwd: dir, env: { ...editorEnv, PROMPTGATE_PROVIDER_KEY: CANARY } });
    expect(regressed.code).toBe(1);
    const out = parsed(regressed);
    expect(out).toMatchObject({ ok: false, error: { code: 'tests_failed' }, test_runs: [{ key: 'support.tone', version_num: 2, status: 'succeeded', passed: false }] });
    expect(out.test_runs[0].regressions).toBeGreaterThan(0);
    expect(out.test_runs[0].cases.find((c: { name: string }) => c.name === 'late order')).toMatchObject({ passed: false, verdict: 'regressed' });
    expect(fake.requests.some((r) => r.key === CANARY)).toBe(true);
    expect(regressed.stdout + regressed.stderr).not.toContain(CANARY);

    const text = await cli(['test', '--provider', 'openai', '--model', 'gpt-4o-mini'], { cwd: dir, env: { ...editorEnv, PROMPTGATE_PROVIDER_KEY: CANARY } });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^FAIL test support\.tone v2: /);
    expect(text.stdout).toMatch(/ {2}- late order: .*regressed/);
  });

  it('rejects the regression as the reviewer, pushes the fix, passes its test run and approves it as the second user', async () => {
    const noNote = await cli(['reject'], { cwd: dir, env: reviewerEnv });
    expect([noNote.code, noNote.stderr]).toEqual([2, expect.stringMatching(/^promptgate: usage: reject needs -m NOTE/)]);
    const rejected = await cli(['reject', '-m', 'Lost the formal tone', '--json'], { cwd: dir, env: reviewerEnv });
    expect([rejected.code, parsed(rejected).versions[0].status]).toEqual([0, 'rejected']);

    const file = join(dir, 'support.tone.prompt.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(CASUAL, FIXED));
    const pushed = await asEditor(['push', '-m', 'Formal again', '--json']);
    expect(parsed(pushed).pushed).toEqual([expect.objectContaining({ key: 'support.tone', version_num: 3, base_version_num: 1 })]);
    expect((await asEditor(['submit'])).code).toBe(0);
    const passed = await cli(['test', '--provider', 'openai', '--model', 'gpt-4o-mini', '--api-key', CANARY, '--json'], { cwd: dir, env: editorEnv });
    expect(passed.code).toBe(0);
    expect(parsed(passed).test_runs[0]).toMatchObject({ passed: true, regressions: 0 });

    // production requires review: the proposer may not approve their own version.
    const self = await asEditor(['approve', '--json']);
    expect(self.code).toBe(3);
    expect(parsed(self).error.code).toBe('forbidden');
    const approved = await cli(['approve', '-m', 'Formal and kind', '--json'], { cwd: dir, env: reviewerEnv });
    expect(approved.code).toBe(0);
    expect(parsed(approved).versions).toEqual([expect.objectContaining({ key: 'support.tone', version_num: 3, status: 'approved' })]);
    const prompt = (await request(http()).get(api(`/prompts/${tonePromptId}`)).set(t.viewer.auth).expect(200)).body;
    expect(prompt.live_version).toMatchObject({ version_num: 3, content: FIXED });
    // The reviewer's approval ran in the same folder: the lock now bases the file on v3.
    expect(JSON.parse(readFileSync(join(dir, '.promptgate.lock.json'), 'utf8')).prompts['support.tone']).toMatchObject({ version_num: 3, pushed: null });
    // support.tone matches the live version; billing.refund is still our copy of v1 (v2 went live after the pull).
    const after = parsed(await asEditor(['diff', '--json']));
    expect(after.files.map((f: { key: string; status: string }) => [f.key, f.status])).toEqual([['billing.refund', 'changed'], ['support.tone', 'unchanged']]);
  });

  it('rolls back to version 1 as the reviewer; the next push of the stale file is a conflict', async () => {
    const ran = await cli(['rollback', 'support.tone', '1', '-m', 'Back to the original', '--json'], { cwd: dir, env: reviewerEnv });
    expect(ran.code).toBe(0);
    expect(parsed(ran).version).toMatchObject({ key: 'support.tone', version_num: 4, status: 'approved', rollback_of_version_num: 1 });
    const prompt = (await request(http()).get(api(`/prompts/${tonePromptId}`)).set(t.viewer.auth).expect(200)).body;
    expect(prompt.live_version).toMatchObject({ version_num: 4, content: FORMAL });

    const file = join(dir, 'support.tone.prompt.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(FIXED, `${FIXED} Sign every answer.`));
    const stale = await asEditor(['push', '-m', 'On the old base']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('conflict: support.tone.prompt.yaml: the live version moved since the pull (pulled at v3, live now v4)');
  });

  it('verifies the audit chain as the owner (exit 0, exit 1 once an entry is rewritten), and refuses it to an editor with 403, exit 3', async () => {
    const ownerEnv = { HOME: home, XDG_CONFIG_HOME: join(home, 'owner-config'), PROMPTGATE_REGISTRY_URL: url, PROMPTGATE_TOKEN: t.owner.token };
    const ran = await cli(['audit', 'verify', '--json'], { cwd: dir, env: ownerEnv });
    expect(ran.code).toBe(0);
    expect(parsed(ran)).toMatchObject({ ok: true, workspace_id: t.ws, entries_checked: expect.any(Number), head_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const editor = await asEditor(['audit', 'verify']);
    expect(editor.code).toBe(3);
    expect(editor.stderr).toMatch(/^promptgate: forbidden \(HTTP 403\): /);

    // Rewritten behind the API's back (as the database owner, past the append-only trigger): exit 1.
    await registry.asOwner(`BEGIN; ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete;
      UPDATE audit_log SET actor_email = 'mallory@example.com' WHERE workspace_id = '${t.ws}' AND seq = 3;
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete; COMMIT;`);
    const broken = await cli(['audit', 'verify', '--json'], { cwd: dir, env: ownerEnv });
    expect(broken.code).toBe(1);
    expect(parsed(broken)).toMatchObject({ ok: false, first_bad_seq: 3, error: { code: 'audit_chain_broken' } });
  });

  it('exits 2 on bad usage and on an invalid file (naming the file and the field), and 3 when the registry cannot be reached', async () => {
    const noMessage = await asEditor(['push', '--json']);
    expect([noMessage.code, parsed(noMessage).error.code]).toEqual([2, 'usage']);
    const unknownFlag = await asEditor(['diff', '--colour']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("Unknown option '--colour'");

    writeFileSync(join(dir, 'broken.prompt.yaml'), 'key: broken\ntype: text\ncontent: Hello\ntest_cases:\n  - name: one\n    asserts: []\n');
    const invalid = await asEditor(['diff', '--json']);
    expect(invalid.code).toBe(2);
    expect(parsed(invalid).error).toMatchObject({ code: 'invalid_file', message: 'broken.prompt.yaml: test_cases[0].asserts: unknown field (allowed: name, variables, input, placeholders, assertions)' });
    rmSync(join(dir, 'broken.prompt.yaml'));

    const port = await closedPort();
    const away = await cli(['prompts', 'list', '--env', 'production', '--url', `http://127.0.0.1:${port}`, '--json'], { cwd: home, env: { ...editorEnv, PROMPTGATE_TOKEN: t.editor.token } });
    expect(away.code).toBe(3);
    expect(parsed(away).error).toMatchObject({ code: 'unreachable', message: expect.stringContaining(`127.0.0.1:${port}`) });
  });

  it('on a terminal: reads the password without echoing it, colours the diff unless NO_COLOR is set, and shows a progress line while eval waits', async () => {
    const termEnv = { HOME: home, XDG_CONFIG_HOME: join(home, 'terminal-config'), PROMPTGATE_REGISTRY_URL: url };
    const login = await inTerminal(['login', '--email', t.editor.user.email], { cwd: home, env: termEnv, password: TEST_PASSWORD });
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('Password: ');
    expect(login.stdout).toContain(`logged in to ${url} as ${t.editor.user.email}`);
    expect(login.stdout).not.toContain(TEST_PASSWORD);

    const coloured = await inTerminal(['diff'], { cwd: dir, env: termEnv });
    expect(coloured.code).toBe(0);
    // Our copy is v1; v2 (politely, no placeholder) went live after the pull.
    expect(coloured.stdout).toContain('\u001b[31m-You handle refunds for {{company}}, politely.\u001b[0m');
    expect(coloured.stdout).toContain('\u001b[32m+You handle refunds for {{company}}.\u001b[0m');
    expect(coloured.stdout).toContain('\u001b[32m+[placeholder:history]\u001b[0m');
    const plain = await inTerminal(['diff'], { cwd: dir, env: { ...termEnv, NO_COLOR: '1' } });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('-You handle refunds for {{company}}, politely.');
    expect(plain.stdout).not.toContain('\u001b[3');

    // eval waits with a progress line on the terminal, cleared when the eval is done.
    const waited = await inTerminal(['eval', 'support.tone', '--version', '1'], { cwd: dir, env: termEnv });
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain('eval support.tone v1: queued');
    expect(waited.stdout).toContain('\r\u001b[2Kpass eval support.tone v1: score');
    const piped = await cli(['eval', 'support.tone', '--version', '1'], { cwd: dir, env: termEnv });
    expect(piped.stdout).toMatch(/^pass eval support\.tone v1: score/);
    expect(piped.stderr).toBe('');
  });

  it('pulls again after the conflict: keeps files with changes not pushed (exit 1) unless --force, then pushes on the new base', async () => {
    // support.tone holds the unpushed change of the rollback test; billing.refund is our untouched copy of v1.
    const kept = await asEditor(['pull', '--json']);
    expect(kept.code).toBe(1);
    const out = parsed(kept);
    expect(out).toMatchObject({ ok: false, error: { code: 'local_changes' }, skipped: [{ key: 'support.tone' }], written: [{ key: 'billing.refund', version_num: 2 }] });
    expect(readFileSync(join(dir, 'support.tone.prompt.yaml'), 'utf8')).toContain('Sign every answer.');
    expect(readFileSync(join(dir, 'billing.refund.prompt.yaml'), 'utf8')).toContain('politely');

    // A change to a test case alone is a local change too.
    const billing = join(dir, 'billing.refund.prompt.yaml');
    writeFileSync(billing, readFileSync(billing, 'utf8').replace('test_cases: []', 'test_cases:\n  - name: asks for a refund\n    input: I want my money back.'));
    expect(parsed(await asEditor(['pull', '--json'])).skipped.map((f: { key: string }) => f.key).sort()).toEqual(['billing.refund', 'support.tone']);

    const forced = await asEditor(['pull', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'support.tone.prompt.yaml'), 'utf8')).toContain(`content: ${FORMAL}`);
    expect(JSON.parse(readFileSync(join(dir, '.promptgate.lock.json'), 'utf8')).prompts['support.tone']).toMatchObject({ version_num: 4, pushed: null });
    const tone = join(dir, 'support.tone.prompt.yaml');
    writeFileSync(tone, readFileSync(tone, 'utf8').replace(FORMAL, `${FORMAL} Sign every answer.`));
    // The test case "short answer" leaves the file: kept in the registry without --prune, deleted with it.
    const text = readFileSync(tone, 'utf8');
    const start = text.indexOf('  - name: short answer');
    const next = text.indexOf('  - name:', start + 1);
    expect(start).toBeGreaterThan(0);
    writeFileSync(tone, text.slice(0, start) + (next < 0 ? '' : text.slice(next)));
    const pushed = await asEditor(['push', '-m', 'Signed answers', '--json']);
    expect(parsed(pushed)).toMatchObject({
      pushed: [{ key: 'support.tone', version_num: 5, base_version_num: 4 }],
      test_cases: { 'support.tone': { created: [], updated: [], deleted: [], kept: ['short answer'] } },
    });
    const pruned = await asEditor(['push', '-m', 'Prune', '--prune', '--json']);
    expect(parsed(pruned)).toMatchObject({ pushed: [], test_cases: { 'support.tone': { deleted: ['short answer'], kept: [] } } });
    const cases = (await request(http()).get(api(`/prompts/${tonePromptId}/test-cases`)).set(t.viewer.auth).expect(200)).body.items;
    expect(cases.map((c: { name: string }) => c.name)).toEqual(['late order', 'no slang']);
    const otherEnv = await asEditor(['pull', '--env', 'staging', '--workspace', t.ws]);
    expect([otherEnv.code, otherEnv.stderr]).toEqual([2, expect.stringMatching(/^promptgate: usage: this folder holds the prompts of the environment "production"/)]);
  });

  it('runs docs/examples/promptgate-ci.sh, the CI flow as a shell script, against the registry', async () => {
    const repo = join(home, 'ci-repo', 'prompts');
    mkdirSync(repo, { recursive: true });
    // A new prompt in a folder of its own (development), pushed, evaluated and tested by the script.
    await request(http()).put(api(`/workspaces/${t.ws}/provider-keys/openai`)).set(t.admin.auth).send({ api_key: CANARY }).expect(200);
    await request(http()).patch(api(`/environments/${t.env.development}`)).set(t.admin.auth).send({ eval_pass_threshold: 1 }).expect(200);
    const pulled = await cli(['pull', '--env', 'development', '--workspace', t.ws, repo], { cwd: home, env: editorEnv });
    expect(pulled.code).toBe(0);
    writeFileSync(join(repo, 'onboarding.welcome.prompt.yaml'), [
      'key: onboarding.welcome', 'type: text', 'description: Welcome message', 'config:', '  provider: openai', '  model: gpt-4o-mini',
      'content: |', '  You are a formal support agent for Acme. Welcome {{name}} formally.', 'test_cases:', '  - name: greets',
      '    input: Hello', '    assertions:', '      - type: contains', '        value: dear', '',
    ].join('\n'));
    const summary = join(home, 'ci-summary.md');
    const ran = await outputOf(spawn('bash', [join(ROOT, 'docs/examples/promptgate-ci.sh')], {
      cwd: join(home, 'ci-repo'),
      env: { PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, HOME: home, PROMPTGATE_REGISTRY_URL: url, PROMPTGATE_TOKEN: t.editor.token, PROMPTS_DIR: 'prompts', PROMPTGATE_SUMMARY: summary, GIT_SHA: 'abc1234', PROMPTGATE_TEST_PROVIDER: 'openai', PROMPTGATE_TEST_MODEL: 'gpt-4o-mini' },
    }));
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('onboarding.welcome');
    expect(text).toMatch(/push: ok/);
    expect(text).toMatch(/eval: ok/);
    expect(text).toMatch(/test: ok/);
  });
});
