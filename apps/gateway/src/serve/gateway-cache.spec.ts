import { toServedVersion } from './served-version.js';
import { ENTRY_OVERHEAD_BYTES, GatewayCache, MAX_ENTRY_SHARE, entryBytes } from './gateway-cache.js';
import { EnvironmentPrompts, type CachedVersion } from './prompt-cache.js';
import { ApiKeyCache, type CachedApiKey } from './api-key-cache.js';

const ENV = '0123456789abcdef0123456789abcdef';
const versionOf = (key: string, content: string): CachedVersion => ({
  version: toServedVersion(key, { versionId: 'v-' + key, versionNum: 1, type: 'text', content, messages: null, config: {} }),
  expiresAt: Infinity,
  retryAt: 0,
});
const apiKeyOf = (hash: string, record: CachedApiKey['record'] = { id: 'k-' + hash, environmentId: ENV, rateLimitRpm: 60, revoked: false }): CachedApiKey => ({
  keyHash: hash, record, expiresAt: Infinity, retryAt: 0,
});

describe('GatewayCache', () => {
  it('charges an entry its strings at two bytes a code unit plus a fixed overhead', () => {
    const small = entryBytes(`${ENV}\na`, versionOf('a', 'x'.repeat(1000)));
    const big = entryBytes(`${ENV}\na`, versionOf('a', 'x'.repeat(2000)));
    // The content is held three times: as the text body, in the JSON body and in the compiled template.
    expect(big - small).toBe(1000 * 2 * 3);
    expect(small).toBeGreaterThan(ENTRY_OVERHEAD_BYTES);
    expect(entryBytes('Bearer k', apiKeyOf('h', null))).toBe(ENTRY_OVERHEAD_BYTES + 2 * 8 + 2);
  });

  it('stays under its byte bound across environments and kinds, the least recently used going first', () => {
    const cache = new GatewayCache(200_000);
    const envs = [new EnvironmentPrompts(cache, ENV), new EnvironmentPrompts(cache, ENV.replace('0', 'f'))];
    const content = 'y'.repeat(1000);
    for (let i = 0; i < 200; i += 1) {
      envs[i % 2].setLive(`p${i}`, versionOf(`p${i}`, content));
      envs[i % 2].setPinned(`p${i}`, 1, versionOf(`p${i}`, content));
      cache.lru.set(`Bearer key-${i}`, apiKeyOf(`h${i}`));
      expect(cache.bytes).toBeLessThanOrEqual(200_000);
    }
    expect(cache.bytes).toBeGreaterThan(200_000 * 0.9);
    expect(envs[1].live('p199')).toBeDefined();
    expect(cache.lru.get('Bearer key-199')).toBeDefined();
    expect(envs[0].live('p0')).toBeUndefined();
    expect(envs[0].pinned('p0', 1)).toBeUndefined();
    expect(cache.lru.get('Bearer key-0')).toBeUndefined();
    // Eviction order is insertion order here: every key kept is newer than every key dropped.
    const kept = [...cache.lru.keys()].filter((k) => k.startsWith('Bearer ')).map((k) => Number(k.slice('Bearer key-'.length)));
    expect(Math.min(...kept)).toBe(200 - kept.length);
  });

  it('counts a hit as a use: the entry read last survives the next eviction, a peek does not refresh', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    const one = entryBytes(`${ENV}\n${keys[0]}`, versionOf(keys[0], 'z'.repeat(500)));
    const cache = new GatewayCache(one * keys.length + 10);
    const env = new EnvironmentPrompts(cache, ENV);
    for (const key of keys) env.setLive(key, versionOf(key, 'z'.repeat(500)));
    expect(cache.size).toBe(keys.length);
    expect(env.live('p00')).toBeDefined();
    env.setLive('p20', versionOf('p20', 'z'.repeat(500)));
    expect(env.live('p00')).toBeDefined();
    expect(env.live('p01')).toBeUndefined();
    env.setPinned('p02', 7, versionOf('p02', 'z'.repeat(500)));
    expect(env.live('p02')).toBeUndefined();
    expect(cache.lru.peek(`${ENV}\np03`)).toBeDefined();
    env.setLive('p21', versionOf('p21', 'z'.repeat(500)));
    expect(env.live('p03')).toBeUndefined();
    expect(env.pinned('p02', 7)).toBeDefined();
  });

  it('does not keep an entry above its share of the bound, and keeps the rest', () => {
    const cache = new GatewayCache(160_000);
    const env = new EnvironmentPrompts(cache, ENV);
    env.setLive('small', versionOf('small', 'ok'));
    const huge = versionOf('huge', 'h'.repeat(160_000 / MAX_ENTRY_SHARE));
    env.setLive('huge', huge);
    expect(env.live('huge')).toBeUndefined();
    expect(env.live('small')).toBeDefined();
    expect(cache.bytes).toBe(entryBytes(`${ENV}\nsmall`, versionOf('small', 'ok')));
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new GatewayCache(0)).toThrow(RangeError);
    expect(() => new GatewayCache(1.5)).toThrow(RangeError);
  });
});

describe('GatewayCache indexes', () => {
  it('finds a revoked key\'s entries through the key-hash index, and forgets entries as they leave', () => {
    const one = entryBytes('Bearer key-00', apiKeyOf('h00'));
    // 20 fit (an entry may take a 16th of the bound at most), 40 are stored: the first ones are evicted.
    const cache = new GatewayCache(one * 20 + 10);
    const apiKeys = new ApiKeyCache(undefined as never, 60_000, cache);
    for (let i = 0; i < 40; i += 1) cache.setApiKey(`Bearer key-${String(i).padStart(2, '0')}`, apiKeyOf(`h${String(i).padStart(2, '0')}`));
    expect([...cache.headersOfKeyHash('h00')]).toEqual([]);
    expect([...cache.headersOfKeyHash('h39')]).toEqual(['Bearer key-39']);
    apiKeys.revoke('h39');
    apiKeys.revoke('h00');
    expect((cache.lru.peek('Bearer key-39') as CachedApiKey).record?.revoked).toBe(true);
    expect((cache.lru.peek('Bearer key-38') as CachedApiKey).record?.revoked).toBe(false);
    cache.lru.delete('Bearer key-39');
    expect([...cache.headersOfKeyHash('h39')]).toEqual([]);
  });

  it('keeps an environment\'s index to the prompts cached, so evicted and cleared keys are found again only when stored again', () => {
    const one = entryBytes(`${ENV}\np00`, versionOf('p00', 'q'.repeat(100)));
    const cache = new GatewayCache(one * 20 + 10);
    const env = new EnvironmentPrompts(cache, ENV);
    for (let i = 10; i < 40; i += 1) env.setLive(`p${i}`, versionOf(`p${i}`, 'q'.repeat(100)));
    expect(env.indexed).toBe(cache.size);
    expect([cache.size < 30, env.live('p10')]).toEqual([true, undefined]);
    env.setPinned('p39', 3, versionOf('p39', 'q'.repeat(100)));
    expect(env.pinned('p39', 3)).toBeDefined();
    expect(env.indexed).toBe(cache.size);
    env.deletePinned('p39', 3);
    env.deleteLive('p39');
    expect([env.pinned('p39', 3), env.live('p39'), env.indexed]).toEqual([undefined, undefined, cache.size]);
    cache.deleteWhere(() => true);
    expect([cache.size, env.indexed]).toEqual([0, 0]);
    env.setLive('p10', versionOf('p10', 'q'.repeat(100)));
    expect(env.live('p10')?.version?.key).toBe('p10');
  });
});
