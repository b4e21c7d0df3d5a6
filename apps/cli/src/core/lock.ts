import { CliError, EXIT } from './errors.js';

/**
 * `.promptgate.lock.json`: what a folder of prompt files was pulled from (docs/CLI.md, "Files"). Per
 * key: the prompt, the version the file is based on (the live one at pull; null when none was live)
 * with the hash of its body, and the proposal the last push made from the file, if any.
 */
export const LOCK_FILE = '.promptgate.lock.json';

export interface VersionRef { version_id: string; version_num: number; hash: string }
export interface LockEntry {
  prompt_id: string;
  version_id: string | null;
  version_num: number | null;
  hash: string;
  /** The whole file (test cases included) as it was when last pulled or pushed. */
  file_hash: string;
  pushed: VersionRef | null;
}
export interface LockFile {
  lock_version: 1;
  registry_url: string;
  workspace_id: string;
  environment: { id: string; name: string };
  prompts: Record<string, LockEntry>;
  /** The keys whose proposals the last push made: what submit, approve, eval and test act on by default. */
  last_push: string[];
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function bad(field: string, problem: string): CliError {
  return new CliError('invalid_file', `${LOCK_FILE}: ${field}: ${problem} (pull again to rewrite it)`, EXIT.usage, { details: { file: LOCK_FILE, field } });
}

function readRef(value: unknown, field: string): VersionRef {
  if (!isObject(value)) throw bad(field, 'must be an object');
  if (typeof value.version_id !== 'string' || !UUID.test(value.version_id)) throw bad(`${field}.version_id`, 'must be a UUID');
  if (!Number.isInteger(value.version_num) || (value.version_num as number) < 1) throw bad(`${field}.version_num`, 'must be a positive integer');
  if (typeof value.hash !== 'string') throw bad(`${field}.hash`, 'must be a string');
  return { version_id: value.version_id, version_num: value.version_num as number, hash: value.hash };
}

export function parseLock(text: string): LockFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('(file)', 'is not JSON');
  }
  if (!isObject(data)) throw bad('(file)', 'must be a JSON object');
  if (data.lock_version !== 1) throw bad('lock_version', 'must be 1');
  if (typeof data.registry_url !== 'string' || !/^https?:\/\//.test(data.registry_url)) throw bad('registry_url', 'must be an http(s) URL');
  if (typeof data.workspace_id !== 'string' || !UUID.test(data.workspace_id)) throw bad('workspace_id', 'must be a UUID');
  const env = data.environment;
  if (!isObject(env) || typeof env.id !== 'string' || !UUID.test(env.id) || typeof env.name !== 'string') throw bad('environment', 'must be {id, name}');
  if (!isObject(data.prompts)) throw bad('prompts', 'must be an object of keys');
  const prompts: Record<string, LockEntry> = {};
  for (const [key, value] of Object.entries(data.prompts)) {
    const at = `prompts.${key}`;
    if (!isObject(value)) throw bad(at, 'must be an object');
    if (typeof value.prompt_id !== 'string' || !UUID.test(value.prompt_id)) throw bad(`${at}.prompt_id`, 'must be a UUID');
    const base = value.version_id === null ? null : readRef({ version_id: value.version_id, version_num: value.version_num, hash: value.hash }, at);
    if (base === null && (value.version_num !== null || typeof value.hash !== 'string')) throw bad(`${at}.version_num`, 'must be null when version_id is');
    if (typeof value.file_hash !== 'string') throw bad(`${at}.file_hash`, 'must be a string');
    prompts[key] = {
      prompt_id: value.prompt_id,
      file_hash: value.file_hash,
      version_id: base?.version_id ?? null,
      version_num: base?.version_num ?? null,
      hash: value.hash as string,
      pushed: value.pushed === null || value.pushed === undefined ? null : readRef(value.pushed, `${at}.pushed`),
    };
  }
  const lastPush = data.last_push ?? [];
  if (!Array.isArray(lastPush) || lastPush.some((k) => typeof k !== 'string' || !(k in prompts))) throw bad('last_push', 'must list keys of prompts');
  return {
    lock_version: 1, registry_url: data.registry_url, workspace_id: data.workspace_id,
    environment: { id: env.id, name: env.name }, prompts, last_push: lastPush as string[],
  };
}

/** The lock's text: keys in order, so a pull or push changes only the lines it must (it is committed with the files). */
export function formatLock(lock: LockFile): string {
  const prompts = Object.fromEntries(Object.keys(lock.prompts).sort().map((k) => [k, lock.prompts[k]]));
  return `${JSON.stringify({ ...lock, prompts, last_push: [...lock.last_push].sort() }, null, 2)}\n`;
}
