import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from './core/errors.js';

/**
 * Access tokens saved by `promptgate login`, one per registry URL, in the user's config dir:
 * $XDG_CONFIG_HOME/promptgate/credentials.json (else ~/.config/promptgate/), the dir 0700 and the
 * file 0600. PROMPTGATE_TOKEN, when set, is used instead of what is saved.
 */
export interface SavedLogin { token: string; email: string; expires_at: string | null; saved_at: string }
interface CredentialsFile { registries: Record<string, SavedLogin> }

export function configDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'promptgate');
}

export const credentialsFile = (env: NodeJS.ProcessEnv) => join(configDir(env), 'credentials.json');

function read(env: NodeJS.ProcessEnv): CredentialsFile {
  let text: string;
  try {
    text = readFileSync(credentialsFile(env), 'utf8');
  } catch {
    return { registries: {} };
  }
  try {
    const data = JSON.parse(text) as CredentialsFile;
    return typeof data.registries === 'object' && data.registries !== null ? data : { registries: {} };
  } catch {
    throw new CliError('invalid_file', `${credentialsFile(env)} is not JSON: log in again (promptgate login) after removing it`, EXIT.usage);
  }
}

function write(env: NodeJS.ProcessEnv, data: CredentialsFile): void {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = credentialsFile(env);
  const temp = `${file}.${process.pid}.tmp`;
  // Created 0600 before anything is written into it; the rename makes the change whole.
  writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

export function savedLogin(env: NodeJS.ProcessEnv, url: string): SavedLogin | null {
  return read(env).registries[url] ?? null;
}

export function saveLogin(env: NodeJS.ProcessEnv, url: string, login: SavedLogin): void {
  const data = read(env);
  data.registries[url] = login;
  write(env, data);
}

export function forgetLogin(env: NodeJS.ProcessEnv, url: string): boolean {
  const data = read(env);
  if (!(url in data.registries)) return false;
  delete data.registries[url];
  if (Object.keys(data.registries).length === 0) rmSync(credentialsFile(env), { force: true });
  else write(env, data);
  return true;
}
