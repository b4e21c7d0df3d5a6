import { submissionEvalId } from './submission-eval-id.js';

describe('submissionEvalId', () => {
  const event = '0b6f4a4e-2f0c-4f5e-9a51-3d2d6c1e8f70';

  it('is the same for the same event and mode, whatever the case of the event id', () => {
    expect(submissionEvalId(event, 'rules')).toBe(submissionEvalId(event, 'rules'));
    expect(submissionEvalId(event.toUpperCase(), 'rules')).toBe(submissionEvalId(event, 'rules'));
  });

  it('differs between modes and between events', () => {
    const other = '0b6f4a4e-2f0c-4f5e-9a51-3d2d6c1e8f71';
    const ids = new Set([submissionEvalId(event, 'rules'), submissionEvalId(event, 'judge'), submissionEvalId(other, 'rules'), submissionEvalId(other, 'judge')]);
    expect(ids.size).toBe(4);
  });

  it('is a version 8 UUID with the RFC variant', () => {
    expect(submissionEvalId(event, 'judge')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
