import { explainError } from './explain-error.js';
import { needsRoleText } from './roles.js';

describe('explainError', () => {
  it('explains the review gate refusals in words a person can act on', () => {
    expect(explainError({ status: 403, code: 'self_approval' }).title).toMatch(/your own change/);
    expect(explainError({ status: 403, code: 'self_approval' }).message).toMatch(/another reviewer/);
    expect(explainError({ status: 409, code: 'stale_base' }).message).toMatch(/Propose the change again/);
    expect(explainError({ status: 422, code: 'eval_required' }).message).toMatch(/Run an evaluation/);
    expect(explainError({ status: 422, code: 'eval_below_threshold' }).message).toMatch(/threshold/);
  });

  it('falls back on the status, then on the registry\'s message', () => {
    expect(explainError({ status: 401, code: 'whatever' }).message).toMatch(/Log in again/);
    expect(explainError({ status: 404, code: 'x', message: 'no such prompt' })).toEqual({ title: 'Not found', message: 'no such prompt' });
    expect(explainError({ status: 500, code: 'internal_error', message: 'boom' }).title).toBe('The registry failed');
    expect(explainError({ status: 400, code: 'validation_failed', message: 'key: bad' }).message).toBe('key: bad');
    expect(explainError(null).title).toBe('Something went wrong');
  });
});

describe('needsRoleText', () => {
  it('names the role a control needs and mine', () => {
    expect(needsRoleText('reviewer', 'editor')).toBe('Needs the reviewer role or higher (you are editor).');
    expect(needsRoleText('owner', null)).toBe('Needs the owner role.');
  });
});
