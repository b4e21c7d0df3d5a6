import { fromLocalInput, liveVersionAt, toLocalInput } from './format.js';

describe('liveVersionAt', () => {
  const history = [
    { id: 'v3', live_from: '2026-12-01T12:00:00.000Z', live_until: null },
    { id: 'v2', live_from: null, live_until: null },
    { id: 'v1', live_from: '2026-12-01T10:00:00.000Z', live_until: '2026-12-01T12:00:00.000Z' },
  ];
  it('finds the version live at an instant: from inclusive, until exclusive', () => {
    expect(liveVersionAt(history, '2026-12-01T10:00:00.000Z')?.id).toBe('v1');
    expect(liveVersionAt(history, '2026-12-01T11:59:59.999Z')?.id).toBe('v1');
    expect(liveVersionAt(history, '2026-12-01T12:00:00.000Z')?.id).toBe('v3');
    expect(liveVersionAt(history, '2030-01-01T00:00:00.000Z')?.id).toBe('v3');
  });
  it('is null before anything went live, or for a history of drafts', () => {
    expect(liveVersionAt(history, '2026-12-01T09:59:59.999Z')).toBeNull();
    expect(liveVersionAt([{ live_from: null, live_until: null }], '2026-12-01T10:00:00.000Z')).toBeNull();
  });
});

describe('the datetime-local value', () => {
  it('goes there and back to the second', () => {
    const d = new Date(2026, 11, 1, 9, 5, 7);
    expect(toLocalInput(d)).toBe('2026-12-01T09:05:07');
    expect(fromLocalInput(toLocalInput(d))).toBe(d.toISOString());
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('not a date')).toBeNull();
  });
});
