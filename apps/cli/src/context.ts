import { resolve } from 'node:path';
import { RegistryClient, type Schemas } from './api/client.js';
import type { CommandLine } from './core/args.js';
import { CliError, EXIT, usageError } from './core/errors.js';
import type { LockFile } from './core/lock.js';
import { savedLogin } from './credentials.js';
import { PromptFolder } from './folder.js';

export const DEFAULT_REGISTRY_URL = 'http://localhost:3000';

/** What a command may touch: the process's streams and environment, given so tests and main() share one path. */
export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Reads the password for `login --email`: from the terminal without echo, else the first line of standard input. */
  readPassword(): Promise<string>;
}

/** One command's run: the command line, the folder it runs in, the registry it talks to. */
export class Context {
  readonly folder: PromptFolder;
  readonly lock: LockFile | null;
  readonly url: string;
  readonly json: boolean;

  constructor(readonly line: CommandLine, readonly io: Io, folderDir?: string) {
    this.folder = new PromptFolder(resolve(io.cwd, folderDir ?? '.'));
    this.lock = this.folder.readLock();
    const url = this.string('url') ?? io.env.PROMPTGATE_REGISTRY_URL ?? this.lock?.registry_url ?? DEFAULT_REGISTRY_URL;
    if (!/^https?:\/\/[^/]+/.test(url)) throw usageError(`the registry URL must be http(s)://host[:port], not "${url}"`);
    this.url = url.replace(/\/+$/, '');
    this.json = this.line.values.json === true;
  }

  string(name: string): string | undefined {
    const v = this.line.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  flag(name: string): boolean {
    return this.line.values[name] === true;
  }

  /** A colour diff and progress lines only on a terminal, and never with NO_COLOR set (to anything). */
  get colour(): boolean {
    return this.io.stdout.isTTY === true && !this.io.env.NO_COLOR && !this.json;
  }

  get progress(): boolean {
    return this.io.stderr.isTTY === true && !this.json;
  }

  /** The token: PROMPTGATE_TOKEN, else the one saved for this registry by `promptgate login`. */
  token(): string {
    const fromEnv = this.io.env.PROMPTGATE_TOKEN;
    if (fromEnv) return fromEnv;
    const saved = savedLogin(this.io.env, this.url);
    if (!saved) throw new CliError('not_logged_in', `not logged in to ${this.url}: run promptgate login --email EMAIL (or set PROMPTGATE_TOKEN)`, EXIT.refused);
    return saved.token;
  }

  private clientCache: RegistryClient | null = null;
  client(): RegistryClient {
    this.clientCache ??= new RegistryClient({ url: this.url, token: this.token() });
    return this.clientCache;
  }

  /** --workspace (an id or a name among yours), else the lock file's, else your only workspace. */
  async workspaceId(): Promise<string> {
    const given = this.string('workspace');
    if (!given && this.lock) return this.lock.workspace_id;
    const me = await this.client().get('/api/v1/me', {});
    const workspaces = me.memberships.map((m) => m.workspace);
    if (given) {
      const match = workspaces.filter((w) => w.id === given || w.name === given);
      if (match.length === 1) return match[0].id;
      if (match.length > 1) throw usageError(`several of your workspaces are named "${given}": pass its id (${match.map((w) => w.id).join(', ')})`);
      throw new CliError('not_found', `you are a member of no workspace "${given}"`, EXIT.refused);
    }
    if (workspaces.length === 1) return workspaces[0].id;
    throw usageError(`you are a member of ${workspaces.length} workspaces: pass --workspace (${workspaces.map((w) => `"${w.name}" ${w.id}`).join(', ')})`);
  }

  /** --env by name (in the workspace), else the lock file's environment. */
  async environment(): Promise<Schemas['Environment']> {
    const name = this.string('env');
    if (!name) {
      if (!this.lock) throw usageError('no environment: pass --env NAME, or run this in a folder made by promptgate pull');
      return this.client().get('/api/v1/environments/{env}', { path: { env: this.lock.environment.id } }).then((a) => a.environment);
    }
    if (this.lock && !this.string('workspace') && name !== this.lock.environment.name) {
      throw usageError(`this folder was pulled from the environment "${this.lock.environment.name}", not "${name}"`);
    }
    const ws = await this.workspaceId();
    const envs = await this.client().all((cursor) => this.client().get('/api/v1/workspaces/{ws}/environments', { path: { ws }, query: { cursor, limit: 200 } }));
    const env = envs.find((e) => e.name === name);
    if (!env) throw new CliError('not_found', `the workspace has no environment "${name}" (it has ${envs.map((e) => e.name).join(', ')})`, EXIT.refused);
    return env;
  }

  requireLock(): LockFile {
    if (!this.lock) throw usageError(`no .promptgate.lock.json in ${this.folder.dir}: run promptgate pull --env NAME first`);
    return this.lock;
  }
}
