import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { RegistryApi } from './dashboard/support/api.js';
import { gone, launchChromium, openSession, screenshot, scrollToTop, visible, type Session } from './dashboard/support/browser.js';
import { startServices, type Services } from './dashboard/support/services.js';
import { button, choose, chosen, dialog, field, logIn, navigate, workIn } from './dashboard/support/ui.js';

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

/** The story's steps: once one fails, the later ones fail at once, naming it, instead of each waiting out its timeouts. */
let brokenAt: string | null = null;
function step(name: string, fn: () => Promise<void>, timeout = STEP_MS): void {
  it(name, async () => {
    if (brokenAt) throw new Error(`not run: the earlier step "${brokenAt}" failed`);
    try {
      await fn();
    } catch (err) {
      brokenAt = name;
      throw err;
    }
  }, timeout);
}

describe('the dashboard in a real browser', () => {
  let services: Services;
  let browser: Browser;
  let api: RegistryApi;
  let tokens: Record<keyof typeof people, RegistryApi>;
  let workspace: { id: string; name: string };
  let production: string;
  let promptId: string;
  const versions: Record<number, string> = {};
  let sessions: Session[] = [];

  /** A fresh browser profile. */
  const session = async (who: string): Promise<Page> => {
    const s = await openSession(browser, services.registryUrl, who);
    sessions.push(s);
    return s.page;
  };
  const sessionOf = (page: Page) => sessions.find((s) => s.page === page)!;
  /** From the Prompts list to the prompt's page. */
  const openPrompt = async (page: Page) => {
    await navigate(page, 'Prompts');
    await (await visible(page.getByRole('link', { name: PROMPT_KEY, exact: true }))).click();
    await visible(page.getByRole('heading', { name: PROMPT_KEY, exact: true }));
  };
  const asPerson = async (who: keyof typeof people): Promise<Page> => {
    const page = await session(who);
    await logIn(page, people[who].email, PASSWORD);
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

  step('signs up: a new user gets the shell with who they are and their role', async () => {
    const page = await session('olivia');
    await page.goto('/');
    await visible(button(page, 'Log in'));
    await visible(field(page, 'Email'));
    // The login screen offers signing up: a "Sign up" tab, or a switch to the sign-up form.
    const toSignUp = page.getByRole('tab', { name: 'Sign up', exact: true })
      .or(page.getByRole('button', { name: /create an account|register/i })).or(page.getByRole('link', { name: /^sign up$|create an account|register/i }));
    await (await visible(toSignUp)).click();
    await visible(button(page, 'Sign up'));
    const name = page.getByLabel(/name/i).and(page.getByRole('textbox'));
    if (await name.count()) await name.first().fill(people.olivia.name);
    await field(page, 'Email').fill(people.olivia.email);
    await field(page, 'Password').fill(PASSWORD);
    await button(page, 'Sign up').click();
    await visible(button(page, 'Log out'));
    // Who I am (my name, or my email) and my role.
    await visible(page.getByRole('banner').getByText(people.olivia.email).or(page.getByRole('banner').getByText(people.olivia.name)));
    await visible(page.getByRole('banner').getByText(/^owner$/i));

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
  });

  step('creates a prompt in production', async () => {
    const page = await asPerson('olivia');
    await navigate(page, 'Prompts');
    await visible(page.getByText(/no prompts yet/i));
    await button(page, 'New prompt').click();
    const form = dialog(page);
    await (await visible(form.getByLabel(/^(prompt )?key$/i))).fill(PROMPT_KEY);
    await field(form, 'Content').fill(FORMAL);
    await field(form, 'Commit message').fill('First version: a formal support agent');
    await button(form, 'Create').click();

    // The prompt page: its key, and version 1's content with its variable marked.
    await visible(page.getByRole('heading', { name: PROMPT_KEY, exact: true }));
    await visible(page.getByText('{{customer}}', { exact: true }));
    const listed = await tokens.olivia.get<{ items: Array<{ id: string; key: string; live_version: unknown; versions_count: number }> }>(`/environments/${production}/prompts`);
    expect(listed.items).toEqual([expect.objectContaining({ key: PROMPT_KEY, live_version: null, versions_count: 1 })]);
    promptId = listed.items[0].id;
    const history = await tokens.olivia.get<{ items: Array<{ id: string; version_num: number; status: string; commit_message: string }> }>(`/prompts/${promptId}/versions`);
    expect(history.items.map((v) => [v.version_num, v.status, v.commit_message])).toEqual([[1, 'draft', 'First version: a formal support agent']]);
    versions[1] = history.items[0].id;

    // The list finds it by search, and finds nothing for another word.
    await navigate(page, 'Prompts');
    await field(page, 'Search prompts').fill('nothing-like-it');
    await visible(page.getByText(/no prompt matches/i));
    await field(page, 'Search prompts').fill('support');
    await visible(page.getByRole('link', { name: PROMPT_KEY, exact: true }));
    await screenshot(page, 'prompts-list');
  });

  step('refuses approving your own change in production, and says why', async () => {
    const page = await asPerson('olivia');
    await openPrompt(page);
    await page.getByRole('link', { name: 'v1', exact: true }).first().click();
    await button(page, 'Submit for review').click();
    await visible(page.getByText(/^pending review$/i));
    sessionOf(page).expectAnswer({ status: 403, method: 'POST', path: new RegExp(`/versions/${versions[1]}/approve$`) });
    await field(page, 'Review note').fill('Looks right to me');
    await button(page, 'Approve').click();
    // In words a person can act on: someone other than the proposer has to approve it.
    await visible(page.getByRole('alert').filter({ hasText: /your own change/i }).filter({ hasText: /another reviewer|someone other/i }));
    const version = await tokens.olivia.get<{ status: string }>(`/versions/${versions[1]}`);
    expect(version.status).toBe('pending_review');
    await screenshot(page, 'review-self-approval-refused');
  });

  step('approves as a second user, from the review queue', async () => {
    const page = await asPerson('rita');
    await navigate(page, 'Review');
    const queued = await visible(page.getByRole('link', { name: `${PROMPT_KEY} v1`, exact: true }));
    await screenshot(page, 'review-queue');
    await queued.click();
    await field(page, 'Review note').fill('Formal and clear: approved');
    await button(page, 'Approve').click();
    await gone(button(page, 'Approve'));
    await visible(page.getByText(/^approved$/i));
    const prompt = await tokens.rita.get<{ live_version: { version_num: number; content: string } | null }>(`/prompts/${promptId}`);
    expect(prompt.live_version).toMatchObject({ version_num: 1, content: FORMAL });
    const version = await tokens.rita.get<{ review_note: string; status: string }>(`/versions/${versions[1]}`);
    expect(version).toMatchObject({ status: 'approved', review_note: 'Formal and clear: approved' });
    // The queue is empty again.
    await navigate(page, 'Review');
    await visible(page.getByText(/nothing to review/i));
  });

  step('proposes a change as an editor and shows the diff against the live version before saving', async () => {
    const page = await asPerson('eddie');
    await openPrompt(page);
    await button(page, 'Propose change').click();
    const content = await visible(field(page, 'Content'));
    expect(await content.inputValue()).toBe(FORMAL);
    await content.fill(CASUAL);
    await field(page, 'Commit message').fill('Friendlier tone');
    await button(page, 'Preview diff').click();
    // Before anything is saved: the live line removed, the new one added.
    const diff = page.getByRole('table', { name: 'Inline diff' });
    await visible(diff.getByRole('row').filter({ hasText: FORMAL }).getByRole('cell', { name: 'removed' }));
    await visible(diff.getByRole('row').filter({ hasText: CASUAL }).getByRole('cell', { name: 'added' }));
    expect((await tokens.eddie.get<{ items: unknown[] }>(`/prompts/${promptId}/versions`)).items).toHaveLength(1);
    await screenshot(page, 'propose-diff');
    await button(page, 'Propose change').click();
    await button(page, 'Submit for review').click();
    await visible(page.getByRole('heading', { name: `${PROMPT_KEY} v2` }));
    await visible(page.getByText(/^pending review$/i));
    const history = await tokens.eddie.get<{ items: Array<{ id: string; version_num: number; status: string }> }>(`/prompts/${promptId}/versions`);
    expect(history.items.map((v) => [v.version_num, v.status])).toEqual([[2, 'pending_review'], [1, 'approved']]);
    versions[2] = history.items[0].id;
    const v2 = await tokens.eddie.get<{ content: string; commit_message: string }>(`/versions/${versions[2]}`);
    expect(v2).toMatchObject({ content: CASUAL, commit_message: 'Friendlier tone' });
    // An editor may not approve: the button says which role it needs.
    const approve = button(page, 'Approve');
    await approve.hover();
    await visible(page.getByRole('tooltip').filter({ hasText: /reviewer/i }));
  });

  step('shows the rules evaluation as eight bars with their reasons', async () => {
    // The rules eval queued at submit runs in the eval worker; the page polls until it succeeds.
    const page = await asPerson('rita');
    await navigate(page, 'Review');
    await page.getByRole('link', { name: `${PROMPT_KEY} v2`, exact: true }).click();
    const section = page.getByRole('region', { name: 'Rules evaluation' });
    await visible(section.getByText(/^succeeded$/));
    const evals = (await tokens.rita.get<{ items: Array<{ mode: string; status: string; score: number; dimensions: Array<{ name: string; score: number; reason: string }> }> }>(`/versions/${versions[2]}/evals`)).items;
    const rules = evals.find((e) => e.mode === 'rules' && e.status === 'succeeded')!;
    expect(rules.dimensions.map((d) => d.name)).toEqual(['role_clarity', 'instruction_quality', 'output_format', 'specificity', 'variable_usage', 'context_provision', 'length', 'safety']);
    for (const d of rules.dimensions) {
      // A bar per dimension, named with the dimension and its score, and the reason beside it.
      const bar = await visible(section.getByRole('progressbar', { name: new RegExp(`^${d.name.replace(/_/g, '[ _]')}\\b`, 'i') }));
      expect(Number(await bar.getAttribute('aria-valuenow'))).toBeCloseTo(d.score * 10, 0);
      await visible(section.getByText(d.reason, { exact: true }));
    }
    expect(await section.getByRole('progressbar').count()).toBe(8);
    await screenshot(page, 'review-rules-eval');
  });

  step('writes a test case on the prompt\'s Test cases page', async () => {
    const page = await asPerson('eddie');
    await openPrompt(page);
    await page.getByRole('link', { name: 'Test cases', exact: true }).first().click();
    await button(page, 'New test case').click();
    const form = dialog(page);
    await field(form, 'Name').fill('late order');
    // The variables of the live content are offered, to be given values.
    await field(form, 'Value of customer').fill('Ms Lee');
    await field(form, 'Input').fill('Where is my order 4471? It is late.');
    await button(form, 'Add assertion').click();
    await field(form, 'Text of assertion 1').fill('dear');
    await button(form, 'Add assertion').click();
    await choose(page, 'Type of assertion 2', 'Judge criterion');
    await field(form, 'Criterion of assertion 2').fill('addresses the customer formally');
    await button(form, 'Create').click();
    await gone(form);
    await visible(page.getByRole('listitem', { name: 'late order' }));
    await screenshot(page, 'test-cases');
    const cases = await tokens.eddie.get<{ items: unknown[] }>(`/prompts/${promptId}/test-cases`);
    expect(cases.items).toEqual([expect.objectContaining({
      name: 'late order', variables: { customer: 'Ms Lee' }, input: 'Where is my order 4471? It is late.',
      assertions: [{ type: 'contains', value: 'dear' }, { type: 'judge', value: 'addresses the customer formally' }],
    })]);
  });

  step('runs the test cases and shows the live and the candidate answer side by side', async () => {
    const page = await asPerson('rita');
    await page.goto(`/versions/${versions[2]}`);
    await button(page, 'Run tests').click();
    const form = dialog(page);
    await choose(page, 'Provider', 'openai');
    await field(form, 'Model').fill('gpt-4o-mini');
    await field(form, 'Key').fill(PROVIDER_KEY);
    await button(form, 'Run tests').click();

    const result = page.getByRole('region', { name: 'Test case late order' });
    const live = await visible(result.getByText(/^Dear customer/));
    const candidate = await visible(result.getByText(/^Hey there!/));
    const [a, b] = [await live.boundingBox(), await candidate.boundingBox()];
    // Side by side: the two answers share a row, the live one on the left.
    expect(a && b).toBeTruthy();
    expect(a!.x + a!.width).toBeLessThanOrEqual(b!.x + 1);
    expect(Math.abs(a!.y - b!.y)).toBeLessThan(Math.max(a!.height, b!.height));
    // The verdict and its reason, and the assertions that failed.
    await visible(result.getByText(/^regressed$/));
    await visible(result.getByText(/lost the baseline's formal tone/));
    await visible(result.getByRole('table').getByRole('row').filter({ hasText: 'contains' }).getByText(/^failed$/));
    // The key went with that one request: the fake provider saw it, the page kept it nowhere.
    expect(services.fake.requests.some((r) => r.key === PROVIDER_KEY)).toBe(true);
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as { localStorage: Record<string, string>; sessionStorage: Record<string, string> };
      return JSON.stringify({ ...g.localStorage }) + JSON.stringify({ ...g.sessionStorage });
    });
    expect(stored).not.toContain(PROVIDER_KEY);
    expect(await page.content()).not.toContain(PROVIDER_KEY);
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, 'review-test-run');
    // The README's picture of the review page: its top, with the review actions and the diff.
    await scrollToTop(page);
    await screenshot(page, 'review-page', 'dashboard-review.png');
  });

  step('rolls back: the earlier version is live again', async () => {
    // Rita approves the casual version anyway; customers dislike it, so she rolls back to version 1.
    const page = await asPerson('rita');
    await page.goto(`/versions/${versions[2]}`);
    await field(page, 'Review note').fill('Trying the friendlier tone');
    await button(page, 'Approve').click();
    await gone(button(page, 'Approve'));
    expect((await tokens.rita.get<{ live_version: { version_num: number } }>(`/prompts/${promptId}`)).live_version.version_num).toBe(2);

    await openPrompt(page);
    await visible(page.getByText(CASUAL.split('{{')[0].trim(), { exact: false }));
    const history = page.getByRole('table', { name: 'Version history' });
    const v1 = history.getByRole('row').filter({ has: page.getByRole('link', { name: 'v1', exact: true }) });
    await v1.getByRole('button', { name: 'Roll back' }).click();
    const confirm = dialog(page);
    await field(confirm, 'Note').fill('Customers want the formal tone back');
    await button(confirm, 'Confirm').click();
    await gone(confirm);
    // Version 3 is live: the content of version 1, marked as its rollback.
    const v3 = history.getByRole('row').filter({ has: page.getByRole('link', { name: 'v3', exact: true }) });
    await visible(v3.getByText(/^live$/));
    await visible(v3.getByText(/rollback to v1/i));
    const prompt = await tokens.rita.get<{ live_version: { version_num: number; content: string } }>(`/prompts/${promptId}`);
    expect(prompt.live_version).toMatchObject({ version_num: 3, content: FORMAL });
    await page.reload();
    await visible(page.getByRole('heading', { name: /live content \(v3/i }));
    await scrollToTop(page);
    await screenshot(page, 'prompt-page', 'dashboard-prompt.png');
  });

  step('creates an API key and shows it once, not again after a reload', async () => {
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
  });

  step('reads the audit log and verifies its chain', async () => {
    const page = await asPerson('olivia');
    await navigate(page, 'Audit log');
    // Who did what: the approvals and the rollback by Rita, the API key by Olivia.
    const row = (action: string) => page.getByRole('row').filter({ has: page.getByText(action, { exact: true }) });
    await visible(row('version.rollback').filter({ hasText: people.rita.email }));
    await visible(row('version.approved').filter({ hasText: people.rita.email }));
    await visible(row('api_key.created').filter({ hasText: people.olivia.email }));
    // Filtered by actor: only Eddie's entries.
    await field(page, 'Actor email').fill(people.eddie.email);
    await button(page, 'Apply filters').click();
    await gone(row('version.rollback'));
    await visible(row('version.created').filter({ hasText: people.eddie.email }));
    const eddies = (await tokens.olivia.get<{ items: unknown[] }>(`/workspaces/${workspace.id}/audit?actor=${encodeURIComponent(people.eddie.email)}`)).items.length;
    expect(await page.getByRole('row').filter({ hasText: people.eddie.email }).count()).toBe(eddies);

    await button(page, 'Verify chain').click();
    const verified = await tokens.olivia.get<{ ok: boolean; entries_checked: number; head_hash: string }>(`/workspaces/${workspace.id}/audit/verify`);
    expect(verified.ok).toBe(true);
    await visible(page.getByText(new RegExp(`\\b${verified.entries_checked} entries checked`)));
    await visible(page.getByText(verified.head_hash, { exact: true }));
    await screenshot(page, 'audit-log');
  });

  step('opens every page of the navigation without a console error', async () => {
    const page = await asPerson('olivia');
    for (const [name, heading] of [['Webhooks', 'Webhooks'], ['Members', 'Members'], ['Settings', 'Settings'], ['Review', 'Review'], ['Prompts', 'Prompts']] as const) {
      await navigate(page, name);
      await visible(page.getByRole('heading', { name: heading, level: 2 }));
      await visible(page.getByRole('status').or(page.getByRole('table')).or(page.getByRole('list')).or(page.getByRole('form')).or(page.getByText(/^no /i)));
      await screenshot(page, `page-${name.toLowerCase()}`);
    }
    // Deep links work: a reload of a prompt's page comes back to it.
    await page.goto(`/prompts/${promptId}`);
    await visible(page.getByRole('heading', { name: PROMPT_KEY, exact: true }));
  });
});
