import type { LockEntry } from './lock.js';
import { planPush, planTestCases, type RemotePrompt } from './plan.js';
import type { TestCaseSpec } from './prompt-file.js';

const entry = (over: Partial<LockEntry> = {}): LockEntry => ({ prompt_id: 'p', version_id: 'v1', version_num: 1, hash: 'h1', file_hash: 'f1', pushed: null, ...over });
const remote = (live: string | null, num = 1): RemotePrompt => ({ prompt_id: 'p', live: live === null ? null : { id: live, version_num: num } });

describe('what push does with a file', () => {
  it.each([
    ['a new key', 'h', undefined, null, { action: 'create' }],
    ['a key in the registry that was never pulled', 'h', undefined, remote('v1'), { action: 'conflict' }],
    ['an unchanged file', 'h1', entry(), remote('v1'), { action: 'unchanged', rebase_to_pushed: false }],
    ['an unchanged file whose base moved', 'h1', entry(), remote('v9', 9), { action: 'unchanged', rebase_to_pushed: false }],
    ['a changed file on its base', 'h2', entry(), remote('v1'), { action: 'propose', base_version_id: 'v1' }],
    ['a changed file whose base moved', 'h2', entry(), remote('v9', 9), { action: 'conflict', live_version_num: 9 }],
    ['a changed file whose live version went away', 'h2', entry(), remote(null), { action: 'conflict', live_version_num: null }],
    ['a changed file of a prompt never live', 'h2', entry({ version_id: null, version_num: null }), remote(null), { action: 'propose', base_version_id: null }],
    ['the file of the last push, not changed since', 'h3', entry({ pushed: { version_id: 'v3', version_num: 3, hash: 'h3' } }), remote('v1'), { action: 'unchanged', rebase_to_pushed: false }],
    ['the file of the last push, approved since', 'h3', entry({ pushed: { version_id: 'v3', version_num: 3, hash: 'h3' } }), remote('v3', 3), { action: 'unchanged', rebase_to_pushed: true }],
    ['a change on top of the last push, approved since', 'h4', entry({ pushed: { version_id: 'v3', version_num: 3, hash: 'h3' } }), remote('v3', 3), { action: 'propose', base_version_id: 'v3' }],
    ['a change on top of the last push, still pending', 'h4', entry({ pushed: { version_id: 'v3', version_num: 3, hash: 'h3' } }), remote('v1'), { action: 'propose', base_version_id: 'v1' }],
    ['a file back to its pulled text after a pending push', 'h1', entry({ pushed: { version_id: 'v3', version_num: 3, hash: 'h3' } }), remote('v1'), { action: 'propose', base_version_id: 'v1' }],
  ])('%s', (_what, hash, lockEntry, remotePrompt, expected) => {
    expect(planPush('k', hash, lockEntry, remotePrompt)).toMatchObject({ key: 'k', ...expected });
  });

  it('says where the base moved, in the conflict', () => {
    expect(planPush('k', 'h2', entry(), remote('v9', 9))).toMatchObject({ reason: expect.stringContaining('pulled at v1, live now v9') });
  });
});

const tc = (name: string, over: Partial<TestCaseSpec> = {}): TestCaseSpec => ({ name, variables: {}, input: null, placeholders: {}, assertions: [], ...over });

describe('test cases by name', () => {
  const remoteCases = [
    { id: 'a', ...tc('same', { input: 'hi', assertions: [{ type: 'is_json', value: null }] }) },
    { id: 'b', ...tc('changed', { input: 'old', variables: { x: '1' } }) },
    { id: 'c', ...tc('gone') },
  ];
  const file = [tc('same', { input: 'hi', assertions: [{ type: 'is_json', value: null }] }), tc('changed', { input: 'new', variables: { x: '1' } }), tc('added')];

  it('creates new names, patches only the changed fields, and keeps missing ones without --prune', () => {
    expect(planTestCases(file, remoteCases, false)).toEqual({ create: [tc('added')], update: [{ id: 'b', name: 'changed', changes: { input: 'new' } }], remove: [], kept: ['gone'] });
  });

  it('deletes the missing ones with --prune', () => {
    expect(planTestCases(file, remoteCases, true)).toMatchObject({ remove: [{ id: 'c', name: 'gone' }], kept: [] });
  });

  it('sees no change when the fields are equal whatever their key order', () => {
    const a = tc('x', { variables: { a: '1', b: '2' } });
    const b = { id: 'x', ...tc('x', { variables: { b: '2', a: '1' } }) };
    expect(planTestCases([a], [b], true)).toEqual({ create: [], update: [], remove: [], kept: [] });
  });
});
