import { totalServes, type ServeCount } from './serve-usage.js';

const K1 = '00000000-0000-4000-8000-000000000001';
const K2 = '00000000-0000-4000-8000-000000000002';
const V1 = '00000000-0000-4000-8000-0000000000a1';
const V2 = '00000000-0000-4000-8000-0000000000a2';

const count = (api_key_id: string, version_id: string, n: number, at: string): ServeCount =>
  ({ api_key_id, version_id, count: n, last_served_at: at });

describe('totalServes', () => {
  it('sums each version and each API key once, keeping the latest serve time', () => {
    const totals = totalServes([
      count(K1, V1, 3, '2025-01-01T10:00:00.000Z'),
      count(K1, V2, 2, '2025-01-01T12:00:00.000Z'),
      count(K2, V1, 5, '2025-01-01T11:00:00.000Z'),
    ]);
    expect(totals.versions).toEqual([
      { id: V1, count: 8, lastServedAt: '2025-01-01T11:00:00.000Z' },
      { id: V2, count: 2, lastServedAt: '2025-01-01T12:00:00.000Z' },
    ]);
    expect(totals.apiKeys).toEqual([
      { id: K1, count: 5, lastServedAt: '2025-01-01T12:00:00.000Z' },
      { id: K2, count: 5, lastServedAt: '2025-01-01T11:00:00.000Z' },
    ]);
  });

  it('compares times as instants, not as text', () => {
    const totals = totalServes([
      count(K1, V1, 1, '2025-01-01T12:00:00+02:00'),
      count(K1, V1, 1, '2025-01-01T11:00:00Z'),
    ]);
    expect(totals.apiKeys).toEqual([{ id: K1, count: 2, lastServedAt: '2025-01-01T11:00:00Z' }]);
  });

  it('gives nothing for no counts', () => {
    expect(totalServes([])).toEqual({ versions: [], apiKeys: [] });
  });
});
