import type { LookupAddress } from 'node:dns';
import { guardedLookup, resolveAllowed, type Resolver } from './delivery-address.js';
import { checkWebhookUrl, parseWebhookUrl, URL_NOT_ALLOWED_MESSAGE } from './webhook-url.js';

/** A resolver answering from a table: no name here is ever sent to a DNS server. */
const table = (answers: Record<string, string[]>): Resolver => async (hostname) => {
  const addresses = answers[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const resolver = table({
  'loopback.test': ['127.0.0.1'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['93.184.216.34', '10.0.0.5'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'public.test': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'empty.test': [],
});

function lookupOnce(hostname: string, options: { all?: boolean; family?: number }) {
  return new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) => {
    guardedLookup(resolver)(hostname, options, (err, address, family) => resolve({ err, address, family }));
  });
}

describe('the delivery lookup', () => {
  it.each([
    ['loopback.test', 'loopback.test resolves to 127.0.0.1 (loopback)'],
    ['metadata.test', 'metadata.test resolves to 169.254.169.254 (link-local (cloud metadata))'],
    ['mixed.test', 'mixed.test resolves to 10.0.0.5 (private)'],
    ['mapped.test', 'mapped.test resolves to ::ffff:127.0.0.1 (IPv4-mapped loopback)'],
  ])('refuses %s before any connection', async (hostname, message) => {
    const { err } = await lookupOnce(hostname, { all: true });
    expect(err).toMatchObject({ code: 'ERR_WEBHOOK_ADDRESS_REFUSED', message });
  });

  it('hands the request only the addresses it checked, in the form node asks for', async () => {
    expect(await lookupOnce('public.test', { all: true })).toEqual({
      err: null, family: undefined,
      address: [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }],
    });
    expect(await lookupOnce('public.test', {})).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await lookupOnce('public.test', { family: 6 })).toEqual({ err: null, address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
  });

  it('passes on resolution failures and empty answers as errors', async () => {
    expect((await lookupOnce('nowhere.test', {})).err).toMatchObject({ code: 'ENOTFOUND' });
    expect((await lookupOnce('empty.test', {})).err).toMatchObject({ code: 'ENOTFOUND' });
  });

  it('checks IP literals without resolving them', async () => {
    const never: Resolver = async () => { throw new Error('resolved a literal'); };
    await expect(resolveAllowed('[::1]', never)).rejects.toThrow('::1 is loopback');
    await expect(resolveAllowed('127.0.0.1', never)).rejects.toThrow('127.0.0.1 is loopback');
    await expect(resolveAllowed('93.184.216.34', never)).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
  });
});

describe('a subscription URL', () => {
  const refusal = async (url: string, allowPrivate = false) => {
    try {
      await checkWebhookUrl(url, allowPrivate, resolver);
      return null;
    } catch (err) {
      const e = err as { code: string; message: string; details: unknown };
      return { code: e.code, message: e.message, details: e.details };
    }
  };
  const refused = async (url: string, allowPrivate = false) => (await refusal(url, allowPrivate))?.code ?? null;

  it.each([
    'http://loopback.test/hook', 'https://metadata.test/latest/meta-data', 'http://mixed.test/', 'http://nowhere.test/',
    'http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/', 'http://0.0.0.0/', 'http://[::ffff:8.8.8.8]/', 'http://[64:ff9b:1::808:808]/', 'http://[2001::1]/',
  ])('refuses %s with url_not_allowed and the one generic message', async (url) => {
    expect(await refusal(url)).toEqual({
      code: 'url_not_allowed',
      message: URL_NOT_ALLOWED_MESSAGE,
      details: [{ field: 'url', messages: [URL_NOT_ALLOWED_MESSAGE] }],
    });
  });

  it('never echoes what a host resolved to', async () => {
    const answer = JSON.stringify(await refusal('http://mixed.test/'));
    expect(answer).not.toContain('127.0.0.1');
    expect(answer).not.toContain('93.184.216.34');
  });

  it.each([
    'ftp://public.test/', 'file:///etc/passwd', 'gopher://public.test/', 'javascript:alert(1)', 'public.test/hook', '/relative/hook',
    '', 'not a url', 'http://', 'http://user:pass@public.test/', 'http://token@public.test/',
  ])('refuses %j as not an absolute http(s) URL: validation_failed naming url', async (url) => {
    const answer = await refusal(url);
    expect(answer?.code).toBe('validation_failed');
    expect(answer?.details).toEqual([{ field: 'url', messages: [expect.any(String)] }]);
  });

  it('accepts an http(s) URL whose host resolves only to public addresses', async () => {
    expect(await refused('https://public.test/hooks/promptgate?team=1')).toBeNull();
    expect(await refused('http://93.184.216.34:8080/')).toBeNull();
  });

  it('with private destinations allowed, still refuses other schemes and credentials', async () => {
    expect(await refused('http://127.0.0.1:3000/', true)).toBeNull();
    expect(await refused('ftp://127.0.0.1/', true)).toBe('validation_failed');
    expect(await refused('http://a:b@127.0.0.1/', true)).toBe('validation_failed');
    expect(parseWebhookUrl('HTTP://Example.TEST:80/a').toString()).toBe('http://example.test/a');
  });
});
