import type { Locator, Page } from 'playwright-core';
import { visible, WAIT_MS } from './browser.js';

/**
 * Steps a person takes in the dashboard, by the accessible names issue 15 fixes (point 7):
 * fields "Email", "Password", "Content", "Commit message", "Review note", "Key", "Name",
 * "Search prompts"; selectors "Workspace", "Environment", "Target environment"; the buttons and the
 * navigation links. A step waits for the state it needs (playwright's auto-waiting), never a fixed time.
 */

export const button = (page: Page | Locator, name: string) => page.getByRole('button', { name, exact: true });
export const link = (page: Page | Locator, name: string) => page.getByRole('link', { name, exact: true });
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * A form field by its accessible name. Playwright's getByLabel reads the label's whole text, which
 * includes a required field's aria-hidden " *" marker (Mantine's); the accessible name does not.
 */
export const field = (page: Page | Locator, name: string) =>
  page.getByRole('textbox', { name, exact: true }).or(page.getByLabel(new RegExp(`^\\s*${escaped(name)}(\\s*\\*)?\\s*$`)));

/** Picks `option` in the selector labelled `label`: a native <select>, or a combobox whose options open in a listbox. */
export async function choose(page: Page, label: string, option: string | RegExp): Promise<void> {
  const control = page.getByRole('combobox', { name: label, exact: true }).or(field(page, label)).first();
  await control.waitFor({ state: 'visible' });
  if ((await control.evaluate((el) => el.tagName)) === 'SELECT') {
    const options = await control.locator('option').allTextContents();
    const wanted = options.find((o) => (typeof option === 'string' ? o.trim() === option : option.test(o.trim())));
    if (!wanted) throw new Error(`the "${label}" selector offers ${JSON.stringify(options)}, not ${String(option)}`);
    await control.selectOption({ label: wanted });
    return;
  }
  await control.click();
  await page.getByRole('option', { name: option, exact: typeof option === 'string' }).first().click();
}

/** The value the selector labelled `label` shows. */
export async function chosen(page: Page, label: string): Promise<string> {
  const control = page.getByRole('combobox', { name: label, exact: true }).or(field(page, label)).first();
  await control.waitFor({ state: 'visible' });
  return control.evaluate((el) => {
    // Typed by shape: the tests' TypeScript has no DOM library.
    const e = el as unknown as { tagName: string; value?: string; textContent: string | null; selectedOptions?: ArrayLike<{ textContent: string | null }> };
    if (e.tagName === 'SELECT') return (e.selectedOptions?.[0]?.textContent ?? '').trim();
    if (e.tagName === 'INPUT') return e.value ?? '';
    return (e.textContent ?? '').trim();
  });
}

export async function navigate(page: Page, name: string): Promise<void> {
  await (await visible(page.getByRole('navigation').getByRole('link', { name, exact: true }).or(link(page, name)))).click();
}

/** Logs in on the login screen and waits for the signed-in shell ("Log out"). */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await (await visible(field(page, 'Email'))).fill(email);
  await field(page, 'Password').fill(password);
  await button(page, 'Log in').click();
  await visible(button(page, 'Log out'));
}

/** Selects the workspace and the environment the next steps happen in, and waits for the choice to show. */
export async function workIn(page: Page, workspace: string, environment: string): Promise<void> {
  if ((await chosen(page, 'Workspace')) !== workspace) await choose(page, 'Workspace', workspace);
  if ((await chosen(page, 'Environment')) !== environment) await choose(page, 'Environment', environment);
  await waitUntil(page, async () => (await chosen(page, 'Workspace')) === workspace && (await chosen(page, 'Environment')) === environment,
    `workspace "${workspace}" and environment "${environment}" selected`);
}

/** Waits (polling the page's state, at most WAIT_MS) until `check` holds; fails with `what` otherwise. */
export async function waitUntil(page: Page, check: () => Promise<boolean>, what: string, timeout = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`waited ${timeout / 1000} s for: ${what}`);
    await page.waitForTimeout(100);
  }
}

/** The dialog on top (Mantine's modals and native <dialog> alike have the dialog role). */
export const dialog = (page: Page) => page.getByRole('dialog').last();
