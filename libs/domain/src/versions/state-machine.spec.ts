import { InvalidTransitionError, nextStatus, transition, VERSION_EVENTS, VERSION_STATUSES, type VersionEvent, type VersionStatus } from './state-machine.js';

// Every (status, event) pair: the allowed ones and where they lead; all others are illegal.
const ALLOWED: Array<[VersionStatus, VersionEvent, VersionStatus]> = [
  ['draft', 'submit', 'pending_review'],
  ['draft', 'quick_approve', 'approved'],
  ['pending_review', 'approve', 'approved'],
  ['pending_review', 'reject', 'rejected'],
  ['approved', 'supersede', 'archived'],
];

describe('version state machine', () => {
  it.each(ALLOWED)('%s --%s--> %s', (from, event, to) => {
    expect(nextStatus(from, event)).toBe(to);
    expect(transition(from, event)).toBe(to);
  });

  const illegal = VERSION_STATUSES.flatMap((s) => VERSION_EVENTS.map((e) => [s, e] as [VersionStatus, VersionEvent]))
    .filter(([s, e]) => !ALLOWED.some(([as, ae]) => as === s && ae === e));

  it('has 20 illegal pairs out of 25', () => expect(illegal).toHaveLength(20));

  it.each(illegal)('refuses %s --%s--> with 409 invalid_transition', (from, event) => {
    expect(nextStatus(from, event)).toBeNull();
    try {
      transition(from, event);
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidTransitionError);
      expect(e).toMatchObject({ kind: 'conflict', code: 'invalid_transition', details: { status: from, action: event } });
    }
  });

  it('makes rejected and archived final', () => {
    for (const e of VERSION_EVENTS) {
      expect(nextStatus('rejected', e)).toBeNull();
      expect(nextStatus('archived', e)).toBeNull();
    }
  });
});
