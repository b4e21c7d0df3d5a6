import { apiKeySnapshotSchema } from './api-keys.js';
import { dbId } from './ids.js';
import { liveMessageSchema, liveSnapshotSchema } from './live.js';
import { serveUsageJobSchema } from './queues.js';
import { webhookDeliveryJobSchema } from './webhooks.js';

/** md5('v1-3')::uuid, as bench/support/seed-prompts.ts makes ids: PostgreSQL takes it; its version digit is not RFC 4122's. */
const MD5_ID = '1679091c-5a88-0faf-afb5-e6087eb1b2dc';
const RANDOM_ID = '3b241101-e2bb-4255-8caf-4136c566a962';

describe('ids from our own database', () => {
  it.each([MD5_ID, RANDOM_ID, MD5_ID.toUpperCase(), '00000000-0000-0000-0000-000000000000'])('takes %s, as PostgreSQL does', (id) => {
    expect(dbId().safeParse(id).success).toBe(true);
  });

  it.each(['', 'not-a-uuid', `${MD5_ID}0`, MD5_ID.slice(1), MD5_ID.replace(/-/g, ''), `{${MD5_ID}}`, MD5_ID.replace('1', 'g'), `${MD5_ID}\u0000`])('refuses %j', (id) => {
    expect(dbId().safeParse(id).success).toBe(false);
  });

  it('lets md5-shaped ids through the usage job, the live snapshot and message, the webhook delivery job and the API-key snapshot', () => {
    expect(serveUsageJobSchema.safeParse({
      v: 1, gateway_id: 'gw', counts: [{ api_key_id: MD5_ID, version_id: MD5_ID, count: 1, last_served_at: new Date().toISOString() }],
    }).success).toBe(true);
    expect(liveSnapshotSchema.safeParse({
      v: 1, prompt_id: MD5_ID, environment_id: MD5_ID, key: 'a.b', version_id: MD5_ID, version_num: 1, content: 'x', live_from: 'now',
    }).success).toBe(true);
    expect(liveMessageSchema.safeParse({ v: 1, type: 'prompt.live', environment_id: MD5_ID, key: 'a.b', version_num: 1 }).success).toBe(true);
    expect(webhookDeliveryJobSchema.safeParse({ v: 1, delivery_id: MD5_ID }).success).toBe(true);
    expect(apiKeySnapshotSchema.safeParse({ v: 1, id: MD5_ID, workspace_id: MD5_ID, environment_id: MD5_ID, rate_limit_rpm: 60, revoked: false }).success).toBe(true);
  });
});
