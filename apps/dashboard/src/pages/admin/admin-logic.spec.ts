import { PROVIDERS as API_PROVIDERS, WEBHOOK_EVENTS as API_WEBHOOK_EVENTS } from '#contracts';
import { detailsByField } from './api-errors.js';
import { auditQuery, describeVerdict, EMPTY_AUDIT_FILTERS, localToIso } from './audit-filters.js';
import { copyText } from './clipboard.js';
import { NO_JUDGE, PROVIDERS, settingsApiErrors, settingsPatch, settingsToDraft, type EnvironmentSettings } from './environment-settings.js';
import { grantableRoles, memberErrorText } from './members.js';
import { WEBHOOK_EVENT_TEXT, WEBHOOK_EVENTS } from './webhook-events.js';

describe('the lists the pages offer are the API\'s', () => {
  it('providers and webhook events', () => {
    expect(PROVIDERS).toEqual(API_PROVIDERS);
    expect(WEBHOOK_EVENTS).toEqual(API_WEBHOOK_EVENTS);
    expect(Object.keys(WEBHOOK_EVENT_TEXT)).toEqual([...API_WEBHOOK_EVENTS]);
  });
});

describe('member changes', () => {
  it('lets an owner grant every role, an admin every role but owner, and others none', () => {
    expect(grantableRoles('owner')).toEqual(['viewer', 'editor', 'reviewer', 'admin', 'owner']);
    expect(grantableRoles('admin')).toEqual(['viewer', 'editor', 'reviewer', 'admin']);
    expect(grantableRoles('reviewer')).toEqual([]);
  });

  it('explains the last-owner refusal and an unknown email in words', () => {
    expect(memberErrorText('last_owner')).toMatch(/last owner.*another member an owner first/);
    expect(memberErrorText('not_found')).toMatch(/sign up first/);
    expect(memberErrorText('validation_failed')).toBeNull();
  });
});

describe('environment settings', () => {
  const production: EnvironmentSettings = {
    is_protected: true, require_review: true, eval_required: false, eval_pass_threshold: 7,
    judge: null, tests_required: false, max_regressions: 0,
  };

  it('sends nothing when nothing changed', () => {
    expect(settingsPatch(production, settingsToDraft(production))).toEqual({ patch: {}, errors: null });
    const judged = { ...production, judge: { provider: 'openai' as const, model: 'gpt-4o-mini' } };
    expect(settingsPatch(judged, settingsToDraft(judged))).toEqual({ patch: {}, errors: null });
  });

  it('sends only the changed settings, numbers as numbers', () => {
    const draft = { ...settingsToDraft(production), eval_required: true, eval_pass_threshold: ' 7.5 ', max_regressions: '2', tests_required: true };
    expect(settingsPatch(production, draft)).toEqual({
      patch: { eval_required: true, eval_pass_threshold: 7.5, max_regressions: 2, tests_required: true }, errors: null,
    });
  });

  it('sets, changes and removes the judge; a blank model is null', () => {
    const set = settingsPatch(production, { ...settingsToDraft(production), judgeProvider: 'anthropic', judgeModel: '  ' });
    expect(set.patch).toEqual({ judge: { provider: 'anthropic', model: null } });
    const judged = { ...production, judge: { provider: 'anthropic' as const, model: null } };
    expect(settingsPatch(judged, { ...settingsToDraft(judged), judgeModel: 'claude-sonnet-4-5' }).patch)
      .toEqual({ judge: { provider: 'anthropic', model: 'claude-sonnet-4-5' } });
    expect(settingsPatch(judged, { ...settingsToDraft(judged), judgeProvider: NO_JUDGE }).patch).toEqual({ judge: null });
  });

  it.each([['-1'], ['10.5'], ['seven'], [''], ['1e1']])('refuses the threshold %p', (threshold) => {
    expect(settingsPatch(production, { ...settingsToDraft(production), eval_pass_threshold: threshold }).errors)
      .toEqual({ eval_pass_threshold: expect.any(String) });
  });

  it.each([['1001'], ['1.5'], ['-0'], ['']])('refuses max regressions %p', (value) => {
    expect(settingsPatch(production, { ...settingsToDraft(production), max_regressions: value }).errors)
      .toEqual({ max_regressions: expect.any(String) });
  });

  it('accepts the bounds 0 and 10, 0 and 1000', () => {
    const draft = { ...settingsToDraft(production), eval_pass_threshold: '10', max_regressions: '1000' };
    expect(settingsPatch(production, draft).patch).toEqual({ eval_pass_threshold: 10, max_regressions: 1000 });
    expect(settingsPatch(production, { ...draft, eval_pass_threshold: '0', max_regressions: '0' }).patch).toEqual({ eval_pass_threshold: 0 });
  });

  it('puts the API\'s field errors next to their settings', () => {
    expect(settingsApiErrors([
      { field: 'judge.model', messages: ['model must not contain "/" for google'] },
      { field: 'eval_pass_threshold', messages: ['eval_pass_threshold must not be greater than 10'] },
      { field: 'surprise', messages: ['property surprise should not exist'] },
    ])).toEqual({
      'judge.model': 'model must not contain "/" for google',
      eval_pass_threshold: 'eval_pass_threshold must not be greater than 10',
      form: 'property surprise should not exist',
    });
  });
});

describe('audit filters', () => {
  it('leaves blank filters out', () => {
    expect(auditQuery(EMPTY_AUDIT_FILTERS)).toEqual({ query: {}, errors: null });
  });

  it('sends each filter under the API\'s name, dates as UTC instants', () => {
    const from = '2026-01-07T14:23';
    const result = auditQuery({ action: ' version.approved ', resourceId: 'abc', actor: 'ada@example.com', from, to: '' });
    expect(result.query).toEqual({ action: 'version.approved', resource_id: 'abc', actor: 'ada@example.com', from: new Date(from).toISOString() });
    expect(localToIso(from)).toMatch(/^2026-01-0[78]T\d{2}:23:00\.000Z$/);
  });

  it.each<[string, Partial<typeof EMPTY_AUDIT_FILTERS>, string]>([
    ['an action without a dot', { action: 'approved' }, 'action'],
    ['an actor that is no email', { actor: 'ada' }, 'actor'],
    ['a date that is no date', { from: '2026-13-45T99:99' }, 'from'],
    ['"to" before "from"', { from: '2026-01-08T00:00', to: '2026-01-07T00:00' }, 'to'],
    ['"to" equal to "from"', { from: '2026-01-08T00:00', to: '2026-01-08T00:00' }, 'to'],
  ])('refuses %s', (_what, filters, field) => {
    expect(Object.keys(auditQuery({ ...EMPTY_AUDIT_FILTERS, ...filters }).errors ?? {})).toEqual([field]);
  });

  it('says what the chain check found', () => {
    expect(describeVerdict({ ok: true, entries_checked: 12, head_hash: 'a'.repeat(64) })).toBe('Chain verified: 12 entries checked.');
    expect(describeVerdict({ ok: true, entries_checked: 1, head_hash: 'a'.repeat(64) })).toBe('Chain verified: 1 entry checked.');
    expect(describeVerdict({ ok: false, entries_checked: 4, first_bad_seq: 5 })).toMatch(/entry #5/);
  });
});

describe('copy', () => {
  it('copies, and reports a denied or missing clipboard instead of throwing', async () => {
    const written: string[] = [];
    await expect(copyText({ writeText: (t) => { written.push(t); return Promise.resolve(); } }, 'pg_live_x')).resolves.toBe('copied');
    expect(written).toEqual(['pg_live_x']);
    await expect(copyText({ writeText: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) }, 'x')).resolves.toBe('denied');
    await expect(copyText(undefined, 'x')).resolves.toBe('unavailable');
  });
});

describe('the API\'s field errors', () => {
  it('are read by field, several messages of one field joined, anything else ignored', () => {
    expect(detailsByField([
      { field: 'name', messages: ['name must be longer than or equal to 1 characters'] },
      { field: 'rate_limit_rpm', messages: ['rate_limit_rpm must not be less than 1', 'rate_limit_rpm must be an integer number'] },
      { field: 'url' },
      { messages: ['no field'] },
      'junk',
    ])).toEqual({
      name: 'name must be longer than or equal to 1 characters',
      rate_limit_rpm: 'rate_limit_rpm must not be less than 1 rate_limit_rpm must be an integer number',
      url: 'url is invalid',
    });
    expect(detailsByField(undefined)).toEqual({});
    expect(detailsByField({ retry_after: 3 })).toEqual({});
  });
});
