import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { RegistryApi } from './dashboard/support/api.js';
import { launchChromium, openSession, screenshot, visible, type Session } from './dashboard/support/browser.js';
import { startServices, type Services } from './dashboard/support/services.js';
import { button, choose, chosen, dialog, field, logIn, navigate, waitUntil, workIn } from './dashboard/support/ui.js';

/**
 * Issue 15's browser tests: the dashboard as the registry serves it (dist/dashboard), driven in
 * Debian's Chromium by playwright-core, against the real registry, gateway and eval worker (built
 * apps, separate processes) on a fresh database and Redis prefix, with the fake LLM providers.
 *
 * One team works through the review gate in production (protected, require_review):
 *   Olivia signs up in the browser (owner of her workspace); Eddie (editor) and Rita (reviewer)
 *   are signed up and added to her workspace through the API in setup, then log in in the browser.
 * The tests run in order, each a step of the story, each on the state the one before left.
 * Every page visited must show no console error, no uncaught exception and no unexpected failed
 * request (see support/browser.ts); screenshots land in test-output/dashboard/, and with
 * UPDATE_SCREENSHOTS=1 the README's two in docs/images/.
 */
const STEP_MS = 180_000;
const PASSWORD = 'correct-horse-battery-staple';
const run = randomBytes(4).toString('hex');
const people = {
  olivia: { email: `olivia.${run}@example.com`, name: 'Olivia Owner' },
  eddie: { email: `eddie.${run}@example.com`, name: 'Eddie Editor' },
  rita: { email: `rita.${run}@example.com`, name: 'Rita Reviewer' },
};
const PROMPT_KEY = 'support.reply';
const FORMAL = 'You are a formal support agent for Acme. Answer {{customer}} formally, in two sentences.';
const CASUAL = 'You are a friendly, casual support agent for Acme. Keep it relaxed with {{customer}}.';
const PROVIDER_KEY = `sk-dashboard-${randomBytes(10).toString('hex')}`;

describe('the dashboard in a real browser', () => {
  let services: Services;
  let browser: Browser;
  let api: RegistryApi;
  let tokens: Record<keyof typeof people, RegistryApi>;
  let workspace: { id: string; name: string };
  let production: string;
  let promptId: string;
  const versions: Record<number, string> = {};
  let sessions: Array<Session & { signedIn(): void }> = [];

  /** A fresh browser profile at the login screen. */
  const session = async (who: string): Promise<Page> => {
    const s = await openSession(browser, services.registryUrl, who);
    // Signed out, the app asks GET /me without a token to learn whether the development bypass is
    // on; the registry's 401 says it is not. Once signed in, a 401 is a problem again.
    sessions.push({ ...s, signedIn: s.expectAnswer({ status: 401, method: 'GET', path: /^\/api\/v1\/me$/ }) });
    return s.page;
  };
  const sessionOf = (page: Page) => sessions.find((s) => s.page === page)!;
  const asPerson = async (who: keyof typeof people): Promise<Page> => {
    const page = await session(who);
    await logIn(page, people[who].email, PASSWORD);
    sessionOf(page).signedIn();
    await workIn(page, workspace.name, 'production');
    return page;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    services = await startServices();
    api = new RegistryApi(services.registryUrl);
  }, 240_000);

  afterEach(async () => {
    const open = sessions;
    sessions = [];
    const name = (expect.getState().currentTestName ?? 'step').replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
    const problems: string[] = [];
    for (const s of open) {
      await screenshot(s.page, `last-${name}-${s.name}`).catch(() => undefined);
      problems.push(...s.problems.map((p) => `${s.name}: ${p}`));
      await s.close();
    }
    // Any console error, uncaught exception or unexpected failed request fails the step that showed it.
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await services?.close();
  }, 60_000);

  it('signs up: a new user gets the shell with who they are and their role', async () => {
    const page = await session('olivia');
    await page.goto('/');
    await visible(button(page, 'Log in'));
    await visible(field(page, 'Email'));
    // The login screen offers signing up: its "Sign up" button, or a switch to the sign-up form first.
    if (!(await button(page, 'Sign up').count())) {
      await page.getByRole('button', { name: /create an account|sign up|register/i }).or(page.getByRole('link', { name: /create an account|sign up|register/i })).first().click();
    }
    await visible(button(page, 'Sign up'));
    const name = page.getByLabel(/name/i).and(page.getByRole('textbox'));
    if (await name.count()) await name.first().fill(people.olivia.name);
    await field(page, 'Email').fill(people.olivia.email);
    await field(page, 'Password').fill(PASSWORD);
    await button(page, 'Sign up').click();
    await visible(button(page, 'Log out'));
    sessionOf(page).signedIn();
    // Who I am (my name, or my email) and my role.
    await visible(page.getByText(people.olivia.name, { exact: true }).or(page.getByText(people.olivia.email, { exact: true })));
    await visible(page.getByText(/\bowner\b/i));

    // The account is real: it logs in through the API, and its personal workspace is the one shown.
    tokens = { olivia: await api.login(people.olivia.email, PASSWORD) } as typeof tokens;
    const me = await tokens.olivia.me();
    expect(me.memberships).toEqual([expect.objectContaining({ role: 'owner' })]);
    workspace = me.memberships[0].workspace;
    production = (await tokens.olivia.environments(workspace.id)).production.id;
    expect((await tokens.olivia.environments(workspace.id)).production).toMatchObject({ is_protected: true, require_review: true });
    expect(await chosen(page, 'Workspace')).toBe(workspace.name);
    // Setup through the API: the editor and the reviewer of Olivia's team.
    for (const [who, role] of [['eddie', 'editor'], ['rita', 'reviewer']] as const) {
      tokens[who] = await api.signup(people[who].email, PASSWORD, people[who].name);
      await tokens.olivia.call('POST', `/workspaces/${workspace.id}/members`, { email: people[who].email, role }, 201);
    }
    await navigate(page, 'Prompts');
    await workIn(page, workspace.name, 'production');
    await screenshot(page, 'prompts-empty');
  }, STEP_MS);

  it('creates a prompt in production', async () => {
    const page = await asPerson('olivia');
    await navigate(page, 'Prompts');
    await button(page, 'New prompt').click();
    const form = dialog(page).or(page.getByRole('main')).first();
    await (await visible(form.getByLabel(/^(prompt )?key$/i))).fill(PROMPT_KEY);
    await field(form, 'Content').fill(FORMAL);
    const commit = field(form, 'Commit message');
    if (await commit.count()) await commit.fill('First version: a formal support agent');
    await button(form, 'Create').click();

    // The prompt page: its key, version 1 as a draft with the content and its variable.
    await visible(page.getByRole('heading', { name: PROMPT_KEY }));
    await visible(page.getByText('{{customer}}'));
    const listed = await tokens.olivia.get<{ items: Array<{ id: string; key: string; live_version: unknown; versions_count: number }> }>(`/environments/${production}/prompts`);
    expect(listed.items).toEqual([expect.objectContaining({ key: PROMPT_KEY, live_version: null, versions_count: 1 })]);
    promptId = listed.items[0].id;
    const history = await tokens.olivia.get<{ items: Array<{ id: string; version_num: number; status: string }> }>(`/prompts/${promptId}/versions`);
    expect(history.items.map((v) => [v.version_num, v.status])).toEqual([[1, 'draft']]);
    versions[1] = history.items[0].id;

    // The list finds it by search.
    await navigate(page, 'Prompts');
    await field(page, 'Search prompts').fill('support');
    await visible(page.getByRole('link', { name: PROMPT_KEY }).or(page.getByRole('cell', { name: PROMPT_KEY })));
    await screenshot(page, 'prompts-list');
  }, STEP_MS);

  it('refuses approving your own change in production, and says why', async () => {
    const page = await asPerson('olivia');
    await page.goto(`/versions/${versions[1]}`);
    await button(page, 'Submit for review').click();
    await visible(page.getByText(/pending[ _]review/i));
    sessionOf(page).expectAnswer({ status: 403, method: 'POST', path: new RegExp(`/versions/${versions[1]}/approve$`) });
    const note = field(page, 'Review note');
    if (await note.count()) await note.fill('Looks right to me');
    await button(page, 'Approve').click();
    // In words a person can act on: someone else has to approve a change they proposed.
    await visible(page.getByText(/(your own|you proposed|proposed it yourself).*|another (person|reviewer|member)/i));
    const version = await tokens.olivia.get<{ status: string }>(`/versions/${versions[1]}`);
    expect(version.status).toBe('pending_review');
    await screenshot(page, 'review-self-approval-refused');
  }, STEP_MS);

  it('approves as a second user, from the review queue', async () => {
    const page = await asPerson('rita');
    await navigate(page, 'Review');
    const queued = await visible(page.getByRole('link', { name: new RegExp(PROMPT_KEY.replace('.', '\\.')) }));
    await screenshot(page, 'review-queue');
    await queued.click();
    await visible(button(page, 'Approve'));
    await field(page, 'Review note').fill('Formal and clear: approved');
    await button(page, 'Approve').click();
    await visible(page.getByText(/\bapproved\b|\blive\b/i));
    const prompt = await tokens.rita.get<{ live_version: { version_num: number; content: string } | null }>(`/prompts/${promptId}`);
    expect(prompt.live_version).toMatchObject({ version_num: 1, content: FORMAL });
    const version = await tokens.rita.get<{ review_note: string; approved_by: unknown }>(`/versions/${versions[1]}`);
    expect(version.review_note).toBe('Formal and clear: approved');
  }, STEP_MS);

  it('proposes a change as an editor and shows the diff against the live version before saving', async () => {
    const page = await asPerson('eddie');
    await navigate(page, 'Prompts');
    await page.getByRole('link', { name: PROMPT_KEY }).first().click();
    await visible(page.getByRole('heading', { name: PROMPT_KEY }));
    await button(page, 'Propose change').click();
    const content = await visible(field(page, 'Content'));
    expect(await content.inputValue()).toBe(FORMAL);
    await content.fill(CASUAL);
    await field(page, 'Commit message').fill('Friendlier tone');
    await button(page, 'Preview diff').click();
    // The old line removed and the new one added, as text of the diff (not the editor's value).
    const removed = await visible(page.getByText(FORMAL, { exact: false }));
    const added = await visible(page.getByText(CASUAL, { exact: false }));
    expect(await removed.isVisible()).toBe(true);
    expect(await added.isVisible()).toBe(true);
    await screenshot(page, 'propose-diff');
    await button(page, 'Propose change').last().click();
    await button(page, 'Submit for review').click();
    await visible(page.getByText(/pending[ _]review/i));
    const history = await tokens.eddie.get<{ items: Array<{ id: string; version_num: number; status: string }> }>(`/prompts/${promptId}/versions`);
    expect(history.items.map((v) => [v.version_num, v.status])).toEqual([[2, 'pending_review'], [1, 'approved']]);
    versions[2] = history.items[0].id;
    const v2 = await tokens.eddie.get<{ content: string; commit_message: string }>(`/versions/${versions[2]}`);
    expect(v2).toMatchObject({ content: CASUAL, commit_message: 'Friendlier tone' });
  }, STEP_MS);

  it('shows the rules evaluation as eight bars with their reasons', async () => {
    // The rules eval queued at submit runs in the eval worker; the page shows it once it succeeds.
    const page = await asPerson('rita');
    await page.goto(`/versions/${versions[2]}`);
    let evals: Array<{ mode: string; status: string; score: number; dimensions: Array<{ name: string; score: number; reason: string }> }> = [];
    await waitUntil(page, async () => {
      evals = (await tokens.rita.get<{ items: typeof evals }>(`/versions/${versions[2]}/evals`)).items;
      return evals.some((e) => e.mode === 'rules' && e.status === 'succeeded');
    }, 'the rules eval of version 2 succeeded');
    const rules = evals.find((e) => e.mode === 'rules' && e.status === 'succeeded')!;
    expect(rules.dimensions).toHaveLength(8);
    for (const d of rules.dimensions) {
      await visible(page.getByText(d.reason, { exact: false }));
    }
    const bars = page.getByRole('progressbar').or(page.getByRole('meter'));
    await waitUntil(page, async () => (await bars.count()) >= 8, 'eight score bars');
    await screenshot(page, 'review-rules-eval');
  }, STEP_MS);

  it('runs the test cases and shows the live and the candidate answer side by side', async () => {
    // Setup through the API: the prompt's test case (the test-case page is dash-admin's; see the report).
    await tokens.eddie.call('POST', `/prompts/${promptId}/test-cases`, {
      name: 'late order', variables: { customer: 'Ms Lee' }, input: 'Where is my order 4471? It is late.',
      assertions: [{ type: 'contains', value: 'dear' }, { type: 'judge', value: 'addresses the customer formally' }],
    }, 201);
    const page = await asPerson('rita');
    await page.goto(`/versions/${versions[2]}`);
    await button(page, 'Run tests').click();
    const form = dialog(page);
    await choose(page, 'Provider', /openai/i).catch(async () => choose(page, 'Provider', 'OpenAI'));
    const model = form.getByLabel(/^model$/i);
    await model.fill('gpt-4o-mini');
    await field(form, 'Key').fill(PROVIDER_KEY);
    await button(form, 'Run tests').or(button(form, 'Run')).or(button(form, 'Confirm')).first().click();

    const live = await visible(page.getByText(/^Dear customer/));
    const candidate = await visible(page.getByText(/^Hey there!/));
    const [a, b] = [await live.boundingBox(), await candidate.boundingBox()];
    // Side by side: the two answers share a row, the live one on the left.
    expect(a && b).toBeTruthy();
    expect(a!.x + a!.width).toBeLessThanOrEqual(b!.x + 1);
    expect(Math.abs(a!.y - b!.y)).toBeLessThan(Math.max(a!.height, b!.height));
    await visible(page.getByText(/regressed/i));
    // The key went with that one request: the fake provider saw it, the page kept it nowhere.
    expect(services.fake.requests.some((r) => r.key === PROVIDER_KEY)).toBe(true);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(PROVIDER_KEY);
    await screenshot(page, 'review', 'dashboard-review.png');
  }, STEP_MS);

  it('rolls back: the earlier version is live again', async () => {
    // Rita approves the casual version; it turns out customers dislike it, so she rolls back to version 1.
    const page = await asPerson('rita');
    await page.goto(`/versions/${versions[2]}`);
    await field(page, 'Review note').fill('Trying the friendlier tone');
    await button(page, 'Approve').click();
    await waitUntil(page, async () => (await tokens.rita.get<{ live_version: { version_num: number } }>(`/prompts/${promptId}`)).live_version.version_num === 2, 'version 2 live');

    await page.goto(`/prompts/${promptId}`);
    await visible(page.getByRole('heading', { name: PROMPT_KEY }));
    const rows = page.getByRole('row').filter({ hasText: /\b(v|version )?1\b/ });
    await rows.getByRole('button', { name: 'Roll back' }).first().click().catch(async () => button(page, 'Roll back').first().click());
    const confirm = dialog(page);
    const note = confirm.getByRole('textbox').first();
    if (await note.count()) await note.fill('Customers want the formal tone back');
    await button(confirm, 'Confirm').click();
    await waitUntil(page, async () => (await tokens.rita.get<{ live_version: { version_num: number; content: string } }>(`/prompts/${promptId}`)).live_version.version_num === 3,
      'version 3 (the rollback) live');
    const prompt = await tokens.rita.get<{ live_version: { content: string } }>(`/prompts/${promptId}`);
    expect(prompt.live_version.content).toBe(FORMAL);
    await page.reload();
    await visible(page.getByText(/rolled back|rollback/i));
    await screenshot(page, 'prompt', 'dashboard-prompt.png');
  }, STEP_MS);

  it('creates an API key and shows it once, not again after a reload', async () => {
    const page = await asPerson('olivia');
    await navigate(page, 'API keys');
    await button(page, 'New API key').click();
    await field(page, 'Name').fill('support-bot');
    await button(page, 'Create').click();
    const shown = await visible(page.getByText(/pg_(live|test)_[A-Za-z0-9_-]{16,}/));
    const key = /pg_(live|test)_[A-Za-z0-9_-]+/.exec((await shown.textContent()) ?? (await shown.inputValue()))![0];
    await visible(button(page, 'Copy'));
    await screenshot(page, 'api-key-created');
    // The key is real: the gateway serves the live (rolled back) prompt with it.
    const served = await fetch(`${services.gatewayUrl}/v1/serve/${PROMPT_KEY}?vars=customer=Ms%20Lee`, { headers: { authorization: `Bearer ${key}` } });
    expect([served.status, await served.text()]).toEqual([200, FORMAL.replace('{{customer}}', 'Ms Lee')]);

    await page.reload();
    await visible(page.getByText('support-bot'));
    expect(await page.content()).not.toContain(key);
    await screenshot(page, 'api-keys');
  }, STEP_MS);

  it('reads the audit log and verifies its chain', async () => {
    const page = await asPerson('olivia');
    await navigate(page, 'Audit log');
    for (const action of ['version.approved', 'version.rollback', 'api_key.created']) {
      await visible(page.getByText(action));
    }
    await button(page, 'Verify chain').click();
    const verified = await tokens.olivia.get<{ ok: boolean; entries_checked: number; head_hash: string }>(`/workspaces/${workspace.id}/audit/verify`);
    expect(verified.ok).toBe(true);
    await visible(page.getByText(verified.head_hash.slice(0, 12), { exact: false }));
    await visible(page.getByText(String(verified.entries_checked), { exact: false }));
    await screenshot(page, 'audit-log');
  }, STEP_MS);
});
