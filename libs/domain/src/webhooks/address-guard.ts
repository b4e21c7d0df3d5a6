/**
 * The SSRF guard's address rule: may a webhook be delivered to this IP address? Loopback,
 * private, link-local (cloud metadata at 169.254.169.254 included), unspecified, multicast,
 * reserved and documentation ranges are refused, in IPv4 and IPv6, including IPv6 forms that
 * embed an IPv4 address (all of ::ffff:0:0/96, NAT64, 6to4), local-use NAT64 (64:ff9b:1::/48) and
 * Teredo (2001::/32), whose far end a sender cannot judge. Applied to the address actually
 * connected to, so a name that resolves (or re-resolves) to a private address does not pass.
 */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

type Range4 = [base: number, bits: number, reason: string];
const V4_BLOCKED: Range4[] = [
  [ip4(0, 0, 0, 0), 8, 'unspecified ("this network")'],
  [ip4(10, 0, 0, 0), 8, 'private'],
  [ip4(100, 64, 0, 0), 10, 'shared address space (carrier-grade NAT)'],
  [ip4(127, 0, 0, 0), 8, 'loopback'],
  [ip4(169, 254, 0, 0), 16, 'link-local (cloud metadata)'],
  [ip4(172, 16, 0, 0), 12, 'private'],
  [ip4(192, 0, 0, 0), 24, 'IETF protocol assignments'],
  [ip4(192, 0, 2, 0), 24, 'documentation'],
  [ip4(192, 88, 99, 0), 24, 'reserved (6to4 relay)'],
  [ip4(192, 168, 0, 0), 16, 'private'],
  [ip4(198, 18, 0, 0), 15, 'benchmarking'],
  [ip4(198, 51, 100, 0), 24, 'documentation'],
  [ip4(203, 0, 113, 0), 24, 'documentation'],
  [ip4(224, 0, 0, 0), 4, 'multicast'],
  [ip4(240, 0, 0, 0), 4, 'reserved (and broadcast)'],
];

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

function inRange4(addr: number, [base, bits]: Range4): boolean {
  if (bits === 0) return true;
  const mask = bits === 32 ? 0xffffffff : (~((1 << (32 - bits)) - 1)) >>> 0;
  return ((addr & mask) >>> 0) === ((base & mask) >>> 0);
}

/**
 * Parses IPv4 in the forms resolvers and URL parsers accept: dotted decimal, and the legacy
 * single-number, hex (0x7f.1) and octal (0177.0.0.1) forms, with 1 to 4 parts.
 */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === '')) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return null;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop() as number;
  if (nums.some((n) => n > 255)) return null;
  const lastMax = 2 ** (8 * (4 - nums.length)) - 1;
  if (last > lastMax) return null;
  let value = 0;
  nums.forEach((n, i) => {
    value += n * 2 ** (24 - 8 * i);
  });
  return value + last;
}

/** Parses IPv6 (with :: and a dotted IPv4 tail) into a 128-bit bigint; brackets and a zone are allowed. */
export function parseIPv6(text: string): bigint | null {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;
  let tail4: number | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseDotted4(s.slice(lastColon + 1));
    if (tail4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    value = (value << 16n) + BigInt(parseInt(g, 16));
  }
  if (tail4 !== null) value = (value & ~0xffffffffn) | BigInt(tail4);
  return value;
}

function parseDotted4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return ip4(Number(parts[0]), Number(parts[1]), Number(parts[2]), Number(parts[3]));
}

function v4Verdict(addr: number): AddressVerdict {
  for (const r of V4_BLOCKED) if (inRange4(addr, r)) return { allowed: false, reason: r[2] };
  return { allowed: true };
}

const prefix = (value: bigint, bits: number, base: bigint) => value >> BigInt(128 - bits) === base >> BigInt(128 - bits);
const low32 = (value: bigint) => Number(value & 0xffffffffn);

function v6Verdict(v: bigint): AddressVerdict {
  if (v === 0n) return { allowed: false, reason: 'unspecified' };
  if (v === 1n) return { allowed: false, reason: 'loopback' };
  // Forms that carry an IPv4 address are judged by that address.
  // IPv4-mapped (::ffff:0:0/96) is refused whole: a sender connects to an IPv4 address as itself.
  if (prefix(v, 96, 0xffffn << 32n)) return embedded(v4Verdict(low32(v)), 'IPv4-mapped', 'IPv4-mapped');
  if (prefix(v, 96, 0n)) return embedded(v4Verdict(low32(v)), 'IPv4-compatible');
  if (prefix(v, 96, 0x0064ff9bn << 96n)) return embedded(v4Verdict(low32(v)), 'NAT64');
  if (prefix(v, 48, 0x0064ff9b0001n << 80n)) return { allowed: false, reason: 'local-use NAT64' };
  if (prefix(v, 32, 0x20010000n << 96n)) return { allowed: false, reason: 'Teredo' };
  if (prefix(v, 16, 0x2002n << 112n)) return embedded(v4Verdict(Number((v >> 80n) & 0xffffffffn)), '6to4');
  if (prefix(v, 7, 0xfc00n << 112n)) return { allowed: false, reason: 'unique local (private)' };
  if (prefix(v, 10, 0xfe80n << 112n)) return { allowed: false, reason: 'link-local' };
  if (prefix(v, 10, 0xfec0n << 112n)) return { allowed: false, reason: 'site-local' };
  if (prefix(v, 8, 0xff00n << 112n)) return { allowed: false, reason: 'multicast' };
  if (prefix(v, 32, 0x20010db8n << 96n)) return { allowed: false, reason: 'documentation' };
  if (prefix(v, 64, 0x0100n << 112n)) return { allowed: false, reason: 'discard-only' };
  return { allowed: true };
}

function embedded(inner: AddressVerdict, form: string, refusedAnyway?: string): AddressVerdict {
  if (!inner.allowed) return { allowed: false, reason: `${form} ${inner.reason}` };
  return refusedAnyway ? { allowed: false, reason: refusedAnyway } : inner;
}

/** The verdict for an IP literal in any accepted form; anything that is not an IP address is refused. */
export function checkDeliveryAddress(address: string): AddressVerdict {
  const v6 = parseIPv6(address);
  if (v6 !== null) return v6Verdict(v6);
  const v4 = parseIPv4(address);
  if (v4 !== null) return v4Verdict(v4);
  return { allowed: false, reason: 'not an IP address' };
}
