/**
 * The probes every service answers the same way (API.md, Health): /health while the process runs,
 * /ready naming each dependency it checks, 503 naming the one that is down, and an unknown route
 * as a 404 in the error shape. A service's health spec calls this with how to start it.
 */
export interface ProbedService {
  service: 'registry' | 'gateway' | 'eval-worker';
  /** A running instance whose dependencies answer. */
  healthy: () => { url: string };
  /** Starts one whose Redis is unreachable; the spec closes it with `close`. */
  startWithRedisDown: () => Promise<{ url: string; close: () => Promise<void> }>;
  /** What /ready reports when everything answers, e.g. `{ postgres: 'ok', redis: 'ok' }`. */
  readyChecks: Record<string, 'ok'>;
}

export function describeProbes(probed: ProbedService): void {
  const down = Object.fromEntries(Object.keys(probed.readyChecks).map((name) => [name, name === 'redis' ? 'down' : 'ok']));

  it('answers /health while the process runs', async () => {
    const res = await fetch(`${probed.healthy().url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', service: probed.service, instance: expect.any(String) });
  });

  it(`is ready when ${Object.keys(probed.readyChecks).join(' and ')} answer${Object.keys(probed.readyChecks).length > 1 ? '' : 's'}, and checks nothing else`, async () => {
    const res = await fetch(`${probed.healthy().url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: probed.readyChecks });
  });

  it('is not ready, and says which dependency failed, when Redis is unreachable', async () => {
    const { url, close } = await probed.startWithRedisDown();
    try {
      const res = await fetch(`${url}/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', checks: down });
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      await close();
    }
  });

  it('answers an unknown route with 404 in the API error shape', async () => {
    const res = await fetch(`${probed.healthy().url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
}
