import { VERSION_STATUSES, type VersionStatus } from '../versions/state-machine.js';
import { decideRollbackTarget } from './rollback.js';

const WENT_LIVE = new Date('2026-01-01T00:00:00.000Z');

describe('decideRollbackTarget', () => {
  // Every status, with and without live_from: only a version that was live may be rolled back to.
  const table: Array<[VersionStatus, Date | null, boolean]> = [
    ['approved', WENT_LIVE, true],
    ['archived', WENT_LIVE, true],
    ['approved', null, false],
    ['archived', null, false],
    ['draft', null, false],
    ['pending_review', null, false],
    ['rejected', null, false],
    // A never-live status with a stray live_from still goes through review.
    ['draft', WENT_LIVE, false],
    ['pending_review', WENT_LIVE, false],
    ['rejected', WENT_LIVE, false],
  ];

  it('covers every status both ways', () => {
    for (const status of VERSION_STATUSES) {
      expect(table.filter(([s]) => s === status).map(([, live]) => live === null).sort()).toEqual([false, true]);
    }
  });

  it.each(table)('%s with live_from %p -> allowed %p', (status, liveFrom, allowed) => {
    const decision = decideRollbackTarget({ versionNum: 4, status, liveFrom });
    if (allowed) {
      expect(decision).toEqual({ ok: true });
    } else {
      expect(decision.ok).toBe(false);
      if (decision.ok) return;
      expect(decision.refusal).toMatchObject({ kind: 'conflict', code: 'not_previously_live', details: { version_num: 4, status } });
    }
  });
});
