import { Redis } from 'ioredis';
import { redisNames } from '#contracts';
import { hashApiKey } from '#domain';
import { makeTeam, type Team } from '../apps/registry/test/support/review-flow.js';
import { bootStack, issueApiKey, revokeApiKey, type Stack } from './support/stack.js';
import { TEST_REDIS_URL } from './support/redis.js';

/**
 * The gateway's PostgreSQL key lookup on its own: no Redis snapshot of the key, and a gateway that
 * has never seen it, so neither the snapshot's flag nor a pushed revocation can refuse it.
 */
describe('a revoked API key known only to PostgreSQL', () => {
  let stack: Stack;
  let t: Team;
  let redis: Redis;

  beforeAll(async () => {
    stack = await bootStack({ gateways: 0 });
    t = await makeTeam(stack.registry.http);
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await redis?.quit();
    await stack?.close();
  });

  it('is refused with 401 by a gateway that never saw it, while a live key found the same way is accepted', async () => {
    const names = redisNames(stack.registry.redisPrefix);
    const live = await issueApiKey(stack, t.admin, t.env.development);
    const revoked = await issueApiKey(stack, t.admin, t.env.development);
    await revokeApiKey(stack, t.admin, revoked.id);
    for (const k of [live, revoked]) {
      await redis.del(names.apiKey(hashApiKey(k.key)));
      expect(await redis.exists(names.apiKey(hashApiKey(k.key)))).toBe(0);
    }

    const gateway = await stack.startGateway();
    const ask = async (key: string) => {
      const res = await fetch(`${gateway.url}/v1/serve/no.such.prompt`, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
    };
    // The live key passes authentication (the prompt does not exist); the revoked one does not.
    expect(await ask(live.key)).toEqual({ status: 404, code: 'prompt_not_found' });
    expect(await ask(revoked.key)).toEqual({ status: 401, code: 'invalid_api_key' });
    expect(await redis.exists(names.apiKey(hashApiKey(revoked.key)))).toBe(0);
  });
});
