import { RegistryClient } from '../api/client.js';
import { CliError, EXIT, usageError } from '../core/errors.js';
import type { Context } from '../context.js';
import { credentialsFile, forgetLogin, saveLogin } from '../credentials.js';
import type { Outcome } from './outcome.js';

/** `login --email E` (the password from the terminal, or standard input) or `login --token T`: checked with the registry, then saved 0600. */
export async function login(ctx: Context): Promise<Outcome> {
  const email = ctx.string('email');
  const given = ctx.string('token');
  if ((email === undefined) === (given === undefined)) throw usageError('login takes --email EMAIL (the password is read from the terminal or standard input) or --token TOKEN');
  let token: string;
  let expiresAt: string | null = null;
  let user: { id: string; email: string };
  if (email !== undefined) {
    const password = await ctx.io.readPassword();
    if (password === '') throw usageError('no password given: type it at the prompt, or pipe it on standard input');
    const answer = await new RegistryClient({ url: ctx.url, token: null }).post('/api/v1/auth/login', { body: { email, password } });
    token = answer.access_token;
    expiresAt = new Date(Date.now() + answer.expires_in * 1000).toISOString();
    user = answer.user;
  } else {
    token = given as string;
    const me = await new RegistryClient({ url: ctx.url, token }).get('/api/v1/me', {});
    user = me.user;
  }
  saveLogin(ctx.io.env, ctx.url, { token, email: user.email, expires_at: expiresAt, saved_at: new Date().toISOString() });
  return {
    exit: 0,
    data: { registry_url: ctx.url, user: { id: user.id, email: user.email }, expires_at: expiresAt, credentials_file: credentialsFile(ctx.io.env) },
    text: [`logged in to ${ctx.url} as ${user.email}${expiresAt ? ` until ${expiresAt}` : ''}`],
  };
}

export function logout(ctx: Context): Promise<Outcome> {
  const removed = forgetLogin(ctx.io.env, ctx.url);
  if (!removed) return Promise.reject(new CliError('not_logged_in', `no login saved for ${ctx.url}`, EXIT.refused));
  return Promise.resolve({ exit: 0, data: { registry_url: ctx.url }, text: [`logged out of ${ctx.url}`] });
}
