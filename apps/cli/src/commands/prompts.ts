import type { RegistryClient, Schemas } from '../api/client.js';
import { bodyHash, bodyOf, fileHash } from '../core/body.js';
import { diffFile, hasChanges, renderDiff, type FileDiff } from '../core/diff.js';
import { CliError, EXIT, usageError } from '../core/errors.js';
import type { LockEntry, LockFile } from '../core/lock.js';
import { planPush, planTestCases, testCasePlanIsEmpty, type PushStep, type RemotePrompt, type TestCasePlan } from '../core/plan.js';
import { fileNameOf, formatPromptFile, parsePromptFile, type PromptFile, type TestCaseSpec } from '../core/prompt-file.js';
import type { Context } from '../context.js';
import type { Outcome } from './outcome.js';

type Prompt = Schemas['Prompt'];

/** The prompt with this key in the environment, or null when there is none. */
export async function promptByKey(client: RegistryClient, envId: string, key: string): Promise<Prompt | null> {
  try {
    return await client.get('/api/v1/environments/{env}/prompts/by-key/{key}', { path: { env: envId, key } });
  } catch (error) {
    if (error instanceof CliError && error.code === 'not_found') return null;
    throw error;
  }
}

export async function testCasesOf(client: RegistryClient, promptId: string): Promise<Schemas['TestCase'][]> {
  return client.all((cursor) => client.get('/api/v1/prompts/{id}/test-cases', { path: { id: promptId }, query: { cursor, limit: 200 } }));
}

/** Assertions as the API takes them: is_json carries no value. */
const assertionsDto = (list: TestCaseSpec['assertions']) => list.map((a) => (a.value === null ? { type: a.type } : { type: a.type, value: a.value }));

const specOf = (tc: Schemas['TestCase']): TestCaseSpec => ({
  name: tc.name, variables: tc.variables, input: tc.input, placeholders: tc.placeholders,
  assertions: tc.assertions.map((a) => ({ type: a.type, value: a.value ?? null })),
});

/** `prompts list`: the prompts of the environment with their live version and pending proposals. */
export async function listPrompts(ctx: Context): Promise<Outcome> {
  const env = await ctx.environment();
  const client = ctx.client();
  const items = await client.all((cursor) => client.get('/api/v1/environments/{env}/prompts', { path: { env: env.id }, query: { cursor, limit: 200 } }));
  const prompts = items.map((p) => ({ key: p.key, type: p.type, description: p.description, live_version_num: p.live_version?.version_num ?? null, versions_count: p.versions_count, pending_count: p.pending_count, updated_at: p.updated_at }));
  const width = Math.max(3, ...prompts.map((p) => p.key.length));
  return {
    exit: 0,
    data: { environment: { id: env.id, name: env.name }, prompts },
    text: prompts.length === 0 ? [`no prompts in ${env.name}`] : prompts.map((p) =>
      `${p.key.padEnd(width)}  ${p.type.padEnd(4)}  ${p.live_version_num === null ? 'no live version' : `live v${p.live_version_num}`}${p.pending_count > 0 ? `, ${p.pending_count} pending` : ''}`),
  };
}

/** The file for a prompt as the registry has it: its live version (else its newest), and its test cases. */
async function fileFromRegistry(client: RegistryClient, prompt: Prompt): Promise<{ file: PromptFile; base: { id: string; version_num: number } | null; hash: string }> {
  let version: { content?: string | null; messages?: unknown; config: Record<string, unknown> };
  let base: { id: string; version_num: number } | null = null;
  if (prompt.live_version) {
    version = prompt.live_version;
    base = { id: prompt.live_version.id, version_num: prompt.live_version.version_num };
  } else {
    const newest = await client.get('/api/v1/prompts/{id}/versions', { path: { id: prompt.id }, query: { limit: 1 } });
    if (newest.items.length === 0) throw new CliError('not_found', `the prompt ${prompt.key} has no version`, EXIT.refused);
    version = await client.get('/api/v1/versions/{id}', { path: { id: newest.items[0].id } });
  }
  const body = bodyOf(prompt.type, version);
  const config = version.config ?? {};
  const cases = (await testCasesOf(client, prompt.id)).map(specOf);
  return { file: { key: prompt.key, ...body, description: prompt.description, config, test_cases: cases }, base, hash: bodyHash({ body, config }) };
}

/**
 * Whether the file on disk holds changes of its own: it differs from what the registry has now and
 * from what was last pulled or pushed (a file that does not parse counts as changed, unless equal).
 */
function localEdits(ctx: Context, name: string, text: string, incoming: PromptFile, entry: LockEntry | undefined): boolean {
  const existing = ctx.folder.readText(name);
  if (existing === null || existing === text) return false;
  let local: PromptFile;
  try {
    local = parsePromptFile(name, existing);
  } catch {
    return true;
  }
  const hash = fileHash(local);
  return hash !== fileHash(incoming) && hash !== entry?.file_hash;
}

/** `pull --env NAME [DIR]`: one file per prompt and the lock file; a file with local changes is left alone unless --force. */
export async function pull(ctx: Context): Promise<Outcome> {
  const env = await ctx.environment();
  const client = ctx.client();
  const items = await client.all((cursor) => client.get('/api/v1/environments/{env}/prompts', { path: { env: env.id }, query: { cursor, limit: 200 } }));
  const previous = ctx.lock;
  sameEnvironment(previous, env);
  const lock: LockFile = {
    lock_version: 1, registry_url: ctx.url, workspace_id: env.workspace_id, environment: { id: env.id, name: env.name },
    prompts: { ...(previous?.prompts ?? {}) }, last_push: previous?.last_push ?? [],
  };
  ctx.folder.ensure();
  const written: { key: string; file: string; version_num: number | null }[] = [];
  const skipped: { key: string; file: string; reason: string }[] = [];
  for (const item of items) {
    const prompt = await client.get('/api/v1/prompts/{id}', { path: { id: item.id } });
    const { file, base, hash } = await fileFromRegistry(client, prompt);
    const name = fileNameOf(prompt.key);
    const text = formatPromptFile(file);
    if (localEdits(ctx, name, text, file, previous?.prompts[prompt.key]) && !ctx.flag('force')) {
      skipped.push({ key: prompt.key, file: name, reason: 'has changes not pushed: push them, or pull --force to overwrite' });
      continue;
    }
    ctx.folder.writeWhole(name, text);
    lock.prompts[prompt.key] = { prompt_id: prompt.id, version_id: base?.id ?? null, version_num: base?.version_num ?? null, hash, file_hash: fileHash(file), pushed: null };
    written.push({ key: prompt.key, file: name, version_num: base?.version_num ?? null });
  }
  lock.last_push = lock.last_push.filter((k) => lock.prompts[k]?.pushed);
  ctx.folder.writeLock(lock);
  const text = [
    ...written.map((w) => `pulled ${w.file} (${w.version_num === null ? 'no live version yet' : `live v${w.version_num}`})`),
    ...skipped.map((s) => `kept ${s.file}: ${s.reason}`),
    `${written.length} file${written.length === 1 ? '' : 's'} from ${env.name} in ${ctx.folder.dir}`,
  ];
  if (skipped.length > 0) {
    return { exit: 1, data: { environment: { id: env.id, name: env.name }, dir: ctx.folder.dir, written, skipped }, text, error: { code: 'local_changes', message: `${skipped.length} file(s) with changes not pushed were left as they are` } };
  }
  return { exit: 0, data: { environment: { id: env.id, name: env.name }, dir: ctx.folder.dir, written, skipped }, text };
}

/** A folder holds the files of one environment: its lock's. */
function sameEnvironment(lock: LockFile | null, env: Schemas['Environment']): void {
  if (lock && lock.environment.id !== env.id) {
    throw usageError(`this folder holds the prompts of the environment "${lock.environment.name}" (${lock.environment.id}), not "${env.name}" (${env.id}): use another folder`);
  }
}

interface FileState {
  file: PromptFile;
  name: string;
  remote: Prompt | null;
}

async function filesWithRemote(ctx: Context, envId: string): Promise<FileState[]> {
  const files = ctx.folder.readPromptFiles();
  const client = ctx.client();
  const out: FileState[] = [];
  for (const file of files) {
    const entry = ctx.lock?.prompts[file.key];
    const remote = entry
      ? await client.get('/api/v1/prompts/{id}', { path: { id: entry.prompt_id } })
      : await promptByKey(client, envId, file.key);
    if (remote && remote.type !== file.type) {
      throw new CliError('invalid_file', `${fileNameOf(file.key)}: type: is ${file.type} but the prompt is ${remote.type} in the registry (a prompt's type never changes)`, EXIT.usage, { details: { file: fileNameOf(file.key), field: 'type' } });
    }
    out.push({ file, name: fileNameOf(file.key), remote });
  }
  return out;
}

const caseSummary = (plan: TestCasePlan) => ({
  created: plan.create.map((c) => c.name), updated: plan.update.map((u) => u.name), deleted: plan.remove.map((r) => r.name), kept: plan.kept,
});

/** `diff [--exit-code]`: each file against the live version, in the API's diff format, and its test cases against the registry's. */
export async function diff(ctx: Context): Promise<Outcome> {
  const lock = ctx.requireLock();
  const client = ctx.client();
  const states = await filesWithRemote(ctx, lock.environment.id);
  const files: Record<string, unknown>[] = [];
  const text: string[] = [];
  let changed = 0;
  for (const { file, name, remote } of states) {
    const live = remote?.live_version
      ? { version_num: remote.live_version.version_num, body: bodyOf(remote.type, remote.live_version), config: remote.live_version.config ?? {} }
      : null;
    const d: FileDiff = diffFile(live, { body: file, config: file.config });
    const cases = planTestCases(file.test_cases, remote ? (await testCasesOf(client, remote.id)).map((tc) => ({ id: tc.id, ...specOf(tc) })) : [], true);
    const caseChanges = caseSummary(cases);
    const fileChanged = remote === null || hasChanges(d) || !testCasePlanIsEmpty(cases);
    if (fileChanged) changed += 1;
    files.push({ key: file.key, file: name, status: remote === null ? 'new' : fileChanged ? 'changed' : 'unchanged', diff: d, test_cases: { created: caseChanges.created, updated: caseChanges.updated, deleted: caseChanges.deleted } });
    if (hasChanges(d) || remote === null) text.push(renderDiff(name, d, ctx.colour));
    const caseLines = [
      ...caseChanges.created.map((n) => `test case "${n}": new in the file`),
      ...caseChanges.updated.map((n) => `test case "${n}": changed in the file`),
      ...caseChanges.deleted.map((n) => `test case "${n}": in the registry, not in the file (push --prune deletes it)`),
    ];
    if (caseLines.length > 0) {
      if (!hasChanges(d) && remote !== null) text.push(`diff ${name}`);
      text.push(...caseLines);
    }
  }
  if (changed === 0) text.push('no changes against the registry');
  const exit = ctx.flag('exit-code') && changed > 0 ? 1 : 0;
  return {
    exit, data: { changed, files }, text,
    ...(exit === 1 ? { error: { code: 'changes', message: `${changed} file(s) differ from the registry` } } : {}),
  };
}

/** `push -m MESSAGE [--prune]`: changed files proposed on their base, new ones created, test cases synced by name; a moved base is a conflict and nothing is written. */
export async function push(ctx: Context): Promise<Outcome> {
  const message = ctx.string('message');
  if (!message || message.trim() === '') throw usageError('push needs -m MESSAGE: the commit message of the proposed versions');
  const env = await ctx.environment();
  const client = ctx.client();
  sameEnvironment(ctx.lock, env);
  const lock: LockFile = ctx.lock ?? { lock_version: 1, registry_url: ctx.url, workspace_id: env.workspace_id, environment: { id: env.id, name: env.name }, prompts: {}, last_push: [] };
  const states = await filesWithRemote(ctx, env.id);
  const steps = states.map(({ file, remote }) => {
    const remoteState: RemotePrompt | null = remote ? { prompt_id: remote.id, live: remote.live_version ? { id: remote.live_version.id, version_num: remote.live_version.version_num } : null } : null;
    return { step: planPush(file.key, bodyHash({ body: file, config: file.config }), lock.prompts[file.key], remoteState), file, remote };
  });
  const conflicts = steps.filter((s) => s.step.action === 'conflict').map((s) => s.step as Extract<PushStep, { action: 'conflict' }>);
  if (conflicts.length > 0) {
    return {
      exit: 1,
      data: { conflicts: conflicts.map((c) => ({ key: c.key, file: fileNameOf(c.key), reason: c.reason, live_version_num: c.live_version_num })), pushed: [] },
      text: [...conflicts.map((c) => `conflict: ${fileNameOf(c.key)}: ${c.reason}`), 'nothing was pushed'],
      error: { code: 'conflict', message: `${conflicts.length} file(s) conflict with the registry; nothing was pushed` },
    };
  }
  const pushed: { key: string; action: 'created' | 'proposed'; version_id: string; version_num: number; base_version_num: number | null }[] = [];
  const testCases: Record<string, ReturnType<typeof caseSummary>> = {};
  const text: string[] = [];
  for (const { step, file } of steps) {
    const hash = bodyHash({ body: file, config: file.config });
    const bodyFields = file.type === 'text' ? { content: file.content } : { messages: file.messages };
    let promptId: string;
    if (step.action === 'create') {
      const created = await client.post('/api/v1/environments/{env}/prompts', {
        path: { env: env.id },
        body: { key: file.key, type: file.type, ...bodyFields, config: file.config, commit_message: message, ...(file.description === null ? {} : { description: file.description }) },
      });
      promptId = created.prompt.id;
      lock.prompts[file.key] = { prompt_id: promptId, version_id: null, version_num: null, hash, file_hash: fileHash(file), pushed: { version_id: created.version.id, version_num: created.version.version_num, hash } };
      pushed.push({ key: file.key, action: 'created', version_id: created.version.id, version_num: created.version.version_num, base_version_num: null });
      text.push(`created ${file.key}: v${created.version.version_num} (draft)`);
    } else {
      const entry = lock.prompts[file.key] as LockEntry;
      promptId = entry.prompt_id;
      if (step.action === 'propose') {
        const { version } = await client.post('/api/v1/prompts/{id}/versions', { path: { id: promptId }, body: { ...bodyFields, config: file.config, commit_message: message } });
        const baseNum = entry.pushed && step.base_version_id === entry.pushed.version_id ? entry.pushed.version_num : entry.version_num;
        if (entry.pushed && step.base_version_id === entry.pushed.version_id) Object.assign(entry, { version_id: entry.pushed.version_id, version_num: entry.pushed.version_num, hash: entry.pushed.hash });
        entry.pushed = { version_id: version.id, version_num: version.version_num, hash };
        pushed.push({ key: file.key, action: 'proposed', version_id: version.id, version_num: version.version_num, base_version_num: baseNum });
        text.push(`proposed ${file.key}: v${version.version_num} (draft) on ${baseNum === null ? 'no live version' : `live v${baseNum}`}`);
      } else if (step.action === 'unchanged' && step.rebase_to_pushed && entry.pushed) {
        Object.assign(entry, { version_id: entry.pushed.version_id, version_num: entry.pushed.version_num, hash: entry.pushed.hash, pushed: null });
      }
    }
    ctx.folder.writeLock(lock);
    const remoteCases = step.action === 'create' ? [] : (await testCasesOf(client, promptId)).map((tc) => ({ id: tc.id, ...specOf(tc) }));
    const plan = planTestCases(file.test_cases, remoteCases, ctx.flag('prune'));
    for (const tc of plan.create) await client.post('/api/v1/prompts/{id}/test-cases', { path: { id: promptId }, body: { ...tc, assertions: assertionsDto(tc.assertions) } });
    for (const u of plan.update) {
      const { assertions, ...rest } = u.changes;
      await client.patch('/api/v1/test-cases/{id}', { path: { id: u.id }, body: { ...rest, ...(assertions ? { assertions: assertionsDto(assertions) } : {}) } });
    }
    for (const r of plan.remove) await client.delete('/api/v1/test-cases/{id}', { path: { id: r.id } });
    testCases[file.key] = caseSummary(plan);
    lock.prompts[file.key].file_hash = fileHash(file);
    ctx.folder.writeLock(lock);
    const parts = [['created', plan.create.length], ['updated', plan.update.length], ['deleted', plan.remove.length]].filter(([, n]) => n !== 0).map(([w, n]) => `${n} ${w}`);
    if (parts.length > 0) text.push(`${file.key}: test cases ${parts.join(', ')}`);
    if (plan.kept.length > 0) text.push(`${file.key}: kept ${plan.kept.length} test case(s) not in the file (--prune deletes them)`);
  }
  if (pushed.length > 0) lock.last_push = pushed.map((p) => p.key);
  ctx.folder.writeLock(lock);
  if (pushed.length === 0) text.push('no prompt changed: nothing proposed');
  return { exit: 0, data: { pushed, test_cases: testCases, conflicts: [] }, text };
}
