import { Redis } from 'ioredis';
import request from 'supertest';
import { type LiveMessage, parseLiveMessage, parseLiveSnapshot, redisNames } from '#contracts';
import { TEST_REDIS_URL } from '../../../test/support/redis.js';
import { LivePublisher } from '../src/live/live-publisher.js';
import { useRegistry } from './support/registry.js';
import { api, approve, createPrompt, livePrompt, makeTeam, promptRow, propose, shipVersion, submit, type Team } from './support/review-flow.js';

describe('live snapshot in Redis', () => {
  const h = useRegistry();
  let t: Team;
  let redis: Redis;
  let subscriber: Redis;
  /** Each message received, with the prompt's live version as PostgreSQL showed it at that moment. */
  const messages: Array<{ message: LiveMessage; liveInDatabase: string | null }> = [];
  const names = () => redisNames(h.redisPrefix);

  beforeAll(async () => {
    t = await makeTeam(h.http);
    redis = new Redis(TEST_REDIS_URL);
    subscriber = new Redis(TEST_REDIS_URL);
    await subscriber.subscribe(names().liveChannel);
    subscriber.on('message', (_channel: string, raw: string) => {
      const message = parseLiveMessage(raw);
      if (message?.type !== 'prompt.live') return;
      void h.dataSource.query(`SELECT live_version_id FROM prompts WHERE environment_id = $1 AND key = $2`, [message.environment_id, message.key])
        .then((rows: Array<{ live_version_id: string | null }>) => messages.push({ message, liveInDatabase: rows[0]?.live_version_id ?? null }));
    });
  });

  afterAll(async () => {
    redis.disconnect();
    subscriber.disconnect();
  });

  const snapshotOf = async (key: string, versionNum?: number) => {
    const raw = await redis.get(versionNum === undefined ? names().liveSnapshot(t.env.development, key) : names().versionSnapshot(t.env.development, key, versionNum));
    return raw === null ? null : parseLiveSnapshot(raw);
  };

  const messageFor = async (key: string, versionNum: number) => {
    for (let i = 0; i < 50; i += 1) {
      const found = messages.find(({ message: m }) => m.type === 'prompt.live' && m.key === key && m.version_num === versionNum);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  };

  it('writes nothing for a version that is only proposed or submitted', async () => {
    const { versionId } = await createPrompt(h.http, t.editor, t.env.development, 'snap.pending');
    await submit(h.http, t.editor, versionId);
    expect(await snapshotOf('snap.pending')).toBeNull();
  });

  it('after an approval the live key and the version key hold the snapshot, and a prompt.live message is published', async () => {
    const { promptId, version } = await livePrompt(h.http, t, 'development', 'snap.approve', 'Hello {{name}}');
    const expected = {
      v: 1, prompt_id: promptId, environment_id: t.env.development, key: 'snap.approve',
      version_id: version.id, version_num: 1, type: 'text', content: 'Hello {{name}}', messages: null, config: {}, live_from: version.live_from,
    };
    expect(await snapshotOf('snap.approve')).toEqual(expected);
    expect(await snapshotOf('snap.approve', 1)).toEqual(expected);
    // Published after the commit: a gateway reacting to the message already finds the version live.
    expect(await messageFor('snap.approve', 1)).toEqual({
      message: { v: 1, type: 'prompt.live', environment_id: t.env.development, key: 'snap.approve', version_num: 1 },
      liveInDatabase: version.id,
    });
  });

  it('after a rollback the snapshot shows the rolled-back content, and older version copies stay', async () => {
    const { promptId } = await livePrompt(h.http, t, 'development', 'snap.rollback', 'Original');
    await shipVersion(h.http, t, promptId, 'Broken');
    expect((await snapshotOf('snap.rollback'))?.content).toBe('Broken');
    const res = await request(h.http).post(api(`/prompts/${promptId}/rollback`)).set(t.reviewer.auth).send({ version_num: 1 }).expect(201);
    expect(await snapshotOf('snap.rollback')).toMatchObject({ version_id: res.body.version.id, version_num: 3, content: 'Original' });
    expect((await snapshotOf('snap.rollback', 2))?.content).toBe('Broken');
    expect((await messageFor('snap.rollback', 3))?.liveInDatabase).toBe(res.body.version.id);
  });

  it('leaves the snapshot alone when an approval is refused', async () => {
    const { promptId } = await livePrompt(h.http, t, 'development', 'snap.refused', 'Live one');
    const a = await propose(h.http, t.editor, promptId, 'A');
    const b = await propose(h.http, t.editor, promptId, 'B');
    await submit(h.http, t.editor, a);
    await submit(h.http, t.editor, b);
    await approve(h.http, t.reviewer, a).expect(200);
    await approve(h.http, t.reviewer, b).expect(409);
    expect(await snapshotOf('snap.refused')).toMatchObject({ version_num: 2, content: 'A' });
    expect(await snapshotOf('snap.refused', 3)).toBeNull();
  });

  it('never lets an older snapshot replace a newer one of the same prompt', async () => {
    const { promptId } = await livePrompt(h.http, t, 'development', 'snap.order', 'One');
    const two = await shipVersion(h.http, t, promptId, 'Two');
    const newer = await snapshotOf('snap.order');
    expect(newer?.version_num).toBe(two.version_num);
    const older = { ...newer!, version_num: 1, content: 'One' };
    await h.app.get(LivePublisher).publishLive(older);
    expect(await snapshotOf('snap.order')).toEqual(newer);
  });
});

describe('live snapshot while Redis is unreachable', () => {
  const h = useRegistry({ REDIS_URL: 'redis://127.0.0.1:1' });

  it('still approves (the change is committed)', async () => {
    const t = await makeTeam(h.http);
    const { promptId, versionId } = await createPrompt(h.http, t.editor, t.env.development, 'snap.down');
    await submit(h.http, t.editor, versionId);
    const res = await approve(h.http, t.reviewer, versionId).expect(200);
    expect(res.body.version.status).toBe('approved');
    expect((await promptRow(h.dataSource, promptId)).live_version_id).toBe(versionId);
  });
});
