import { configToForm, formToConfig } from './model-config.js';

describe('the config form', () => {
  it('shows the known keys as fields and the rest as JSON, and gives the same config back', () => {
    const config = { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, top_p: 1, max_tokens: 512, stop: ['END', '###'], response_format: { type: 'json_object' } };
    const form = configToForm(config);
    expect(form).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', temperature: '0.2', top_p: '1', max_tokens: '512', stop: 'END\n###' });
    expect(JSON.parse(form.rest)).toEqual({ response_format: { type: 'json_object' } });
    expect(formToConfig(form)).toEqual({ ok: true, config });
  });

  it('leaves empty fields out: an empty form is {}', () => {
    const form = configToForm({});
    expect(form).toEqual({ provider: '', model: '', temperature: '', top_p: '', max_tokens: '', stop: '', rest: '' });
    expect(formToConfig(form)).toEqual({ ok: true, config: {} });
    expect(configToForm(null).rest).toBe('');
  });

  it('keeps a known key with a value the form cannot show in the JSON', () => {
    const form = configToForm({ temperature: 'hot', stop: ['a\nb'] });
    expect(form.temperature).toBe('');
    expect(JSON.parse(form.rest)).toEqual({ temperature: 'hot', stop: ['a\nb'] });
  });

  it('refuses what is not a number, not a JSON object, or a key given twice', () => {
    const empty = configToForm({});
    expect(formToConfig({ ...empty, temperature: 'warm' })).toEqual({ ok: false, field: 'temperature', problem: 'must be a number' });
    expect(formToConfig({ ...empty, max_tokens: '1.5' })).toEqual({ ok: false, field: 'max_tokens', problem: 'must be a whole number' });
    expect(formToConfig({ ...empty, rest: '{' })).toMatchObject({ ok: false, field: 'rest' });
    expect(formToConfig({ ...empty, rest: '[1]' })).toEqual({ ok: false, field: 'rest', problem: 'must be a JSON object' });
    expect(formToConfig({ ...empty, model: 'm', rest: '{"model": "n"}' })).toMatchObject({ ok: false, field: 'rest' });
  });
});
