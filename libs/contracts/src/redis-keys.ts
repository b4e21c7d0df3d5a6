/**
 * Every Redis name the services share, derived from one REDIS_PREFIX so that deployments
 * (and test runs) never see each other's keys. The braces are a Redis Cluster hash tag:
 * all of one deployment's BullMQ keys land in one slot.
 */
export function redisNames(prefix: string) {
  return {
    bullPrefix: `{${prefix}}`,
    liveSnapshot: (environmentId: string, promptKey: string) => `${prefix}:live:${environmentId}:${promptKey}`,
    versionSnapshot: (environmentId: string, promptKey: string, versionNum: number) =>
      `${prefix}:ver:${environmentId}:${promptKey}:${versionNum}`,
    apiKey: (keyHash: string) => `${prefix}:apikey:${keyHash}`,
    /** The shared GCRA theoretical arrival time (epoch µs) of one API key, advanced by the gateways' reconciles. */
    rateLimit: (apiKeyId: string) => `${prefix}:rl:${apiKeyId}`,
    loginFailures: (email: string) => `${prefix}:login-fail:${email}`,
    liveChannel: `${prefix}:prompt.live`,
    /** A sorted set of the cases of one test run in hand (member case id, score lease end in epoch ms): the run's parallelism bound. */
    testRunSlots: (runId: string) => `${prefix}:test-run:${runId}:slots`,
    /** Set when a case of the run found its provider unreachable: the run's other cases fail at once with this message. */
    testRunUnreachable: (runId: string) => `${prefix}:test-run:${runId}:unreachable`,
  };
}
export type RedisNames = ReturnType<typeof redisNames>;
