import fc from 'fast-check';
import { checkDeliveryAddress, parseIPv4, parseIPv6 } from './address-guard.js';

describe('webhook delivery address guard', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local (cloud metadata)'],
    ['100.64.0.1', 'shared address space (carrier-grade NAT)'],
    ['fc00::1', 'unique local (private)'],
    ['fd12:3456:789a::1', 'unique local (private)'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved (and broadcast)'],
    ['64:ff9b::7f00:1', 'NAT64 loopback'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['::ffff:93.184.216.34', 'IPv4-mapped'],
    ['::ffff:0:0', 'IPv4-mapped unspecified ("this network")'],
    ['::ffff:ffff:ffff', 'IPv4-mapped reserved (and broadcast)'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['64:ff9b:1::808:808', 'local-use NAT64'],
    ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'local-use NAT64'],
    ['2001::1', 'Teredo'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'Teredo'],
    ['localhost', 'not an IP address'],
    ['256.1.1.1', 'not an IP address'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(checkDeliveryAddress(address)).toEqual({ allowed: false, reason });
  });

  it.each([
    '93.184.216.34', '8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '192.169.0.1', '100.128.0.1',
    '2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '64:ff9b::808:808', '64:ff9b:2::1', '2001:1::1', '2001:4860:4860::8888',
  ])('allows the public address %s', (address) => {
    expect(checkDeliveryAddress(address)).toEqual({ allowed: true });
  });

  it('parses IPv4 forms to the same number', () => {
    expect(parseIPv4('127.0.0.1')).toBe(2130706433);
    expect(parseIPv4('2130706433')).toBe(2130706433);
    expect(parseIPv4('0x7f.0.0.1')).toBe(2130706433);
    expect(parseIPv4('127.0.1')).toBe(2130706433);
    expect(parseIPv4('10.1')).toBe(167772161);
    expect(parseIPv4('1.2.3.4.5')).toBeNull();
    expect(parseIPv4('4294967296')).toBeNull();
  });

  it('parses IPv6 with :: and an IPv4 tail', () => {
    expect(parseIPv6('::ffff:127.0.0.1')).toBe(parseIPv6('::ffff:7f00:1'));
    expect(parseIPv6('1::2::3')).toBeNull();
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeNull();
  });

  it('refuses every IPv4-mapped IPv6 address, whatever IPv4 address it carries', () => {
    fc.assert(fc.property(fc.ipV4(), (v4) => {
      expect(checkDeliveryAddress(`::ffff:${v4}`).allowed).toBe(false);
    }));
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(typeof checkDeliveryAddress(s).allowed).toBe('boolean');
    }));
    fc.assert(fc.property(fc.ipV6(), (s) => {
      expect(typeof checkDeliveryAddress(s).allowed).toBe('boolean');
    }));
  });
});
