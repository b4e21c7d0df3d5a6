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
    // A snapshot written before chat prompts reads as a text prompt with config {}.
    expect(parseLiveSnapshot(JSON.stringify(snap))).toEqual({ ...snap, type: 'text', messages: null, config: {} });
    expect(parseLiveSnapshot(JSON.stringify({ ...snap, content: undefined }))).toBeNull();
  });

  it('round-trips a chat snapshot and refuses one whose body does not match its type', () => {
    const chat = {
      v: 1, prompt_id: ENV, environment_id: ENV, key: 'k', version_id: ENV, version_num: 3, type: 'chat', content: null,
      messages: [{ role: 'system', content: 'You are {{who}}.' }, { role: 'placeholder', name: 'history' }],
      config: { temperature: 0.2, response_format: { type: 'json_object' } }, live_from: '2026-01-01T00:00:00.000Z',
    };
    expect(parseLiveSnapshot(JSON.stringify(chat))).toEqual(chat);
    expect(parseLiveSnapshot(JSON.stringify({ ...chat, content: 'x' }))).toBeNull();
    expect(parseLiveSnapshot(JSON.stringify({ ...chat, messages: null }))).toBeNull();
    expect(parseLiveSnapshot(JSON.stringify({ ...chat, type: 'text' }))).toBeNull();
    expect(parseLiveSnapshot(JSON.stringify({ ...chat, messages: [{ role: 'tool', content: 'x' }] }))).toBeNull();
    expect(parseLiveSnapshot(JSON.stringify({ ...chat, config: [] }))).toBeNull();
  });
});
