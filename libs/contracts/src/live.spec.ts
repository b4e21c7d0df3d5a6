import { parseLiveMessage, parseLiveSnapshot } from './live.js';

const ENV = '6a1c8d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';

describe('live channel contract', () => {
  it('parses the two message types', () => {
    expect(parseLiveMessage(JSON.stringify({ v: 1, type: 'prompt.live', environment_id: ENV, key: 'a.b', version_num: 3 })))
      .toEqual({ v: 1, type: 'prompt.live', environment_id: ENV, key: 'a.b', version_num: 3 });
    expect(parseLiveMessage(JSON.stringify({ v: 1, type: 'api_key.revoked', api_key_id: ENV, key_hash: 'ab' })))
      .toMatchObject({ type: 'api_key.revoked' });
  });

  it.each([
    ['not json', '{'],
    ['unknown type', JSON.stringify({ v: 1, type: 'other' })],
    ['future version', JSON.stringify({ v: 2, type: 'prompt.live', environment_id: ENV, key: 'k', version_num: 1 })],
    ['bad version_num', JSON.stringify({ v: 1, type: 'prompt.live', environment_id: ENV, key: 'k', version_num: 0 })],
  ])('ignores a malformed message (%s)', (_why, raw) => {
    expect(parseLiveMessage(raw)).toBeNull();
  });

  it('round-trips a snapshot and refuses a partial one', () => {
    const snap = { v: 1, prompt_id: ENV, environment_id: ENV, key: 'k', version_id: ENV, version_num: 2, content: 'Hi {{name}}', live_from: '2026-01-01T00:00:00.000Z' };
    expect(parseLiveSnapshot(JSON.stringify(snap))).toEqual(snap);
    expect(parseLiveSnapshot(JSON.stringify({ ...snap, content: undefined }))).toBeNull();
  });
});
