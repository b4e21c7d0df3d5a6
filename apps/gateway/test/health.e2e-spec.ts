import { describeProbes } from '../../../test/support/probes.js';
import { startGateway, useGateway } from './support/gateway.js';

describe('gateway health', () => {
  const gateway = useGateway();

  describeProbes({
    service: 'gateway',
    healthy: () => gateway,
    startWithRedisDown: async () => {
      const { app, url } = await startGateway({ DATABASE_URL: gateway.db.url, REDIS_URL: 'redis://127.0.0.1:1' });
      return { url, close: () => app.close() };
    },
    readyChecks: { postgres: 'ok', redis: 'ok' },
  });

  it('reads through DATABASE_READ_URL when one is set', async () => {
    const { app, url } = await startGateway({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', DATABASE_READ_URL: gateway.db.url });
    try {
      expect((await fetch(`${url}/ready`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
