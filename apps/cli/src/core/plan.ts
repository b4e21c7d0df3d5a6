import { canonicalJson } from './body.js';
import type { LockEntry } from './lock.js';
import type { TestCaseSpec } from './prompt-file.js';

/** The registry's side of one key at push time: the prompt and its live version, or null when the key is new there. */
export interface RemotePrompt { prompt_id: string; live: { id: string; version_num: number } | null }

export type PushStep =
  | { key: string; action: 'create' }
  | { key: string; action: 'propose'; base_version_id: string | null }
  | { key: string; action: 'unchanged'; rebase_to_pushed: boolean }
  | { key: string; action: 'conflict'; reason: string; live_version_num: number | null };

/**
 * What `push` does with one file (docs/CLI.md, "push"): a file whose body and config hash as the
 * version it was last pulled or pushed at is unchanged; a changed one is proposed when the live
 * version is still the one it was pulled at (or the one its last push made, approved since), and is
 * a conflict otherwise: the base moved, and nothing is overwritten.
 */
export function planPush(key: string, fileHash: string, entry: LockEntry | undefined, remote: RemotePrompt | null): PushStep {
  if (!entry) {
    if (remote === null) return { key, action: 'create' };
    return { key, action: 'conflict', reason: 'the prompt exists in the registry but was not pulled into this folder: pull first', live_version_num: remote.live?.version_num ?? null };
  }
  if (remote === null) return { key, action: 'conflict', reason: 'the prompt recorded in the lock file is not in the registry', live_version_num: null };
  const liveId = remote.live?.id ?? null;
  const livePushed = entry.pushed !== null && liveId === entry.pushed.version_id;
  const baseHolds = liveId === entry.version_id || livePushed;
  const changed = fileHash !== (entry.pushed?.hash ?? entry.hash);
  if (!changed) return { key, action: 'unchanged', rebase_to_pushed: livePushed && liveId !== entry.version_id };
  if (!baseHolds) {
    const was = entry.version_num === null ? 'no live version' : `v${entry.version_num}`;
    const now = remote.live === null ? 'none' : `v${remote.live.version_num}`;
    return { key, action: 'conflict', reason: `the live version moved since the pull (pulled at ${was}, live now ${now}): pull again and merge your change`, live_version_num: remote.live?.version_num ?? null };
  }
  return { key, action: 'propose', base_version_id: liveId };
}

/** A test case as the registry answers it. */
export interface RemoteTestCase extends TestCaseSpec { id: string }

export type CaseField = 'variables' | 'input' | 'placeholders' | 'assertions';
const CASE_FIELDS: CaseField[] = ['variables', 'input', 'placeholders', 'assertions'];

export interface TestCasePlan {
  create: TestCaseSpec[];
  update: { id: string; name: string; changes: Partial<Pick<TestCaseSpec, CaseField>> }[];
  remove: { id: string; name: string }[];
  /** On the registry, not in the file, and left there because --prune was not given. */
  kept: string[];
}

const normalAssertions = (list: TestCaseSpec['assertions']) => list.map((a) => ({ type: a.type, value: a.value ?? null }));

/** Test cases by name: new names created, changed ones patched with only the fields that differ, missing ones deleted only with `prune`. */
export function planTestCases(file: readonly TestCaseSpec[], remote: readonly RemoteTestCase[], prune: boolean): TestCasePlan {
  const byName = new Map(remote.map((tc) => [tc.name, tc]));
  const plan: TestCasePlan = { create: [], update: [], remove: [], kept: [] };
  for (const tc of file) {
    const there = byName.get(tc.name);
    if (!there) {
      plan.create.push(tc);
      continue;
    }
    const changes: Partial<Pick<TestCaseSpec, CaseField>> = {};
    for (const field of CASE_FIELDS) {
      const mine = field === 'assertions' ? normalAssertions(tc.assertions) : tc[field];
      const theirs = field === 'assertions' ? normalAssertions(there.assertions) : there[field];
      if (canonicalJson(mine) !== canonicalJson(theirs)) Object.assign(changes, { [field]: tc[field] });
    }
    if (Object.keys(changes).length > 0) plan.update.push({ id: there.id, name: tc.name, changes });
  }
  const names = new Set(file.map((tc) => tc.name));
  for (const tc of remote) {
    if (names.has(tc.name)) continue;
    if (prune) plan.remove.push({ id: tc.id, name: tc.name });
    else plan.kept.push(tc.name);
  }
  return plan;
}

export const testCasePlanIsEmpty = (plan: TestCasePlan) => plan.create.length + plan.update.length + plan.remove.length === 0;
