import { CliError } from './errors.js';
import { formatLock, parseLock, type LockFile } from './lock.js';

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const lock: LockFile = {
  lock_version: 1, registry_url: 'http://127.0.0.1:3000', workspace_id: ID(1), environment: { id: ID(2), name: 'production' },
  prompts: {
    'support.tone': { prompt_id: ID(3), version_id: ID(4), version_num: 2, hash: 'sha256:a', file_hash: 'sha256:fa', pushed: { version_id: ID(5), version_num: 3, hash: 'sha256:b' } },
    'billing.refund': { prompt_id: ID(6), version_id: null, version_num: null, hash: 'sha256:c', file_hash: 'sha256:fc', pushed: null },
  },
  last_push: ['support.tone'],
};

describe('.promptgate.lock.json', () => {
  it('reads back what it writes, keys in order', () => {
    const text = formatLock(lock);
    expect(parseLock(text)).toEqual(lock);
    expect(Object.keys(JSON.parse(text).prompts)).toEqual(['billing.refund', 'support.tone']);
  });

  it.each([
    ['not json', '{', '(file): is not JSON'],
    ['another version', JSON.stringify({ ...lock, lock_version: 2 }), 'lock_version: must be 1'],
    ['a bad URL', JSON.stringify({ ...lock, registry_url: 'ftp://x' }), 'registry_url'],
    ['a bad prompt id', JSON.stringify({ ...lock, prompts: { a: { ...lock.prompts['support.tone'], prompt_id: 'x' } } }), 'prompts.a.prompt_id: must be a UUID'],
    ['a bad pushed version', JSON.stringify({ ...lock, prompts: { a: { ...lock.prompts['support.tone'], pushed: { version_id: ID(1), version_num: 0, hash: 'h' } } }, last_push: [] }), 'prompts.a.pushed.version_num'],
    ['an entry without file_hash', JSON.stringify({ ...lock, prompts: { a: { ...lock.prompts['billing.refund'], file_hash: undefined } }, last_push: [] }), 'prompts.a.file_hash: must be a string'],
    ['last_push naming an unknown key', JSON.stringify({ ...lock, last_push: ['nope'] }), 'last_push'],
  ])('refuses %s with exit 2, naming the field', (_what, text, field) => {
    expect(() => parseLock(text)).toThrow(CliError);
    try {
      parseLock(text);
    } catch (error) {
      expect((error as CliError).exit).toBe(2);
      expect((error as CliError).message).toContain(`.promptgate.lock.json: ${field}`);
    }
  });
});
