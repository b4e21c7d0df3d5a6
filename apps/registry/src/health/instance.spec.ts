import { HEALTH, instanceId } from './instance.js';

describe('the instance id /health answers', () => {
  it('is the one npm start handed over when it is well formed', () => {
    expect(instanceId('0b6a9c1e-2f7d-4e55-9a43-5d1f8e0c7b21')).toBe('0b6a9c1e-2f7d-4e55-9a43-5d1f8e0c7b21');
  });

  it('is fresh and random when none is given or the given one is not an id', () => {
    for (const given of [undefined, '', 'short', '<script>alert(1)</script>', 'x'.repeat(65)]) {
      const id = instanceId(given);
      expect([given, id]).toEqual([given, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    }
    expect(instanceId(undefined)).not.toBe(instanceId(undefined));
  });

  it('names the service', () => {
    expect(HEALTH).toEqual({ status: 'ok', service: 'registry', instance: expect.any(String) });
  });
});
