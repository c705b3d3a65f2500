import ipaddr from 'ipaddr.js';
import type { AllowList } from './allow-list.ts';
import { parseIpAddress } from './ip-address.ts';

/**
 * Which IP addresses a server-side fetch may connect to. Only globally routable unicast passes:
 * everything that reaches the host itself, its LAN, the cloud metadata service or a special-purpose
 * block is refused, including IPv6 spellings that carry such an IPv4 address inside them.
 */

type Network = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Sub-ranges that ipaddr.js lumps into `reserved`, named more precisely for error messages. */
const namedIpv4Ranges: readonly (readonly [string, Network])[] = [
  ['documentation', ipaddr.parseCIDR('192.0.2.0/24')],
  ['documentation', ipaddr.parseCIDR('198.51.100.0/24')],
  ['documentation', ipaddr.parseCIDR('203.0.113.0/24')],
  ['benchmarking', ipaddr.parseCIDR('198.18.0.0/15')],
];

const namedIpv6Ranges: readonly (readonly [string, Network])[] = [
  ['documentation', ipaddr.parseCIDR('2001:db8::/32')],
  ['documentation', ipaddr.parseCIDR('3fff::/20')],
  // The local-use NAT64 prefix translates to addresses of the operator's choosing.
  ['NAT64 local-use', ipaddr.parseCIDR('64:ff9b:1::/48')],
];

/** Only 2000::/3 is allocated for global unicast; ipaddr.js calls the unallocated rest `unicast` too. */
const globalUnicast = ipaddr.parseCIDR('2000::/3');

const ipv4RangeNames: Readonly<Record<string, string>> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
};

const ipv6RangeNames: Readonly<Record<string, string>> = {
  unspecified: 'unspecified',
  loopback: 'loopback',
  linkLocal: 'link-local',
  multicast: 'multicast',
  uniqueLocal: 'unique local',
  deprecatedSiteLocal: 'site-local',
  teredo: 'Teredo',
  benchmarking: 'benchmarking',
};

/**
 * Classifies an address for fetching.
 *
 * @param address an IPv4 or IPv6 address as DNS or a URL spells it (IPv6 may be bracketed).
 * @param allow addresses inside this list pass whatever their class.
 * @returns undefined when the address may be connected to, else the reason class (`loopback`,
 *   `private`, `link-local`, `carrier-grade NAT`, `IPv4-mapped private`, `6to4 of loopback`,
 *   `NAT64 of private`, `unique local`, `documentation`, `reserved`, …). Text that is not an IP
 *   address is refused as `not an IP address`.
 */
export function isForbiddenAddress(address: string, allow?: AllowList): string | undefined {
  const parsed = parseIpAddress(address);
  if (parsed === undefined) return 'not an IP address';
  if (allow?.allowsAddress(address) === true) return undefined;
  return parsed.kind() === 'ipv4' ? classifyIpv4(parsed as ipaddr.IPv4) : classifyIpv6(parsed as ipaddr.IPv6);
}

function classifyIpv4(address: ipaddr.IPv4): string | undefined {
  const named = namedIpv4Ranges.find(([, network]) => address.match(network[0], network[1]));
  if (named !== undefined) return named[0];
  const range: string = address.range();
  if (range === 'unicast') return undefined;
  // AS112 and AMT anycast, 192.0.0.0/24, 240.0.0.0/4 and whatever later versions add.
  return ipv4RangeNames[range] ?? 'reserved';
}

function classifyIpv6(address: ipaddr.IPv6): string | undefined {
  const embedded = embeddedIpv4(address);
  if (embedded !== undefined) {
    const inner = classifyIpv4(embedded.ipv4);
    if (embedded.form === 'IPv4-compatible') {
      // Deprecated since 2006 (RFC 4291) and routed unpredictably: never a legitimate target.
      return `IPv4-compatible ${inner ?? '(deprecated)'}`;
    }
    return inner === undefined ? undefined : `${embedded.form} ${inner}`;
  }
  const named = namedIpv6Ranges.find(([, network]) => address.match(network[0], network[1]));
  if (named !== undefined) return named[0];
  const range: string = address.range();
  if (range === 'unicast') return address.match(globalUnicast) ? undefined : 'reserved';
  return ipv6RangeNames[range] ?? 'reserved';
}

interface EmbeddedIpv4 {
  readonly form: 'IPv4-mapped' | 'IPv4-translated' | 'IPv4-compatible' | '6to4 of' | 'NAT64 of';
  readonly ipv4: ipaddr.IPv4;
}

/**
 * The IPv4 address that an IPv6 address hands traffic to, when it is one of the forms that a
 * dual-stack host, a 6to4 relay or a NAT64 gateway turns back into IPv4. These are checked by
 * their IPv4 address, so `::ffff:127.0.0.1` is as forbidden as `127.0.0.1`.
 */
function embeddedIpv4(address: ipaddr.IPv6): EmbeddedIpv4 | undefined {
  const parts = address.parts;
  const at = (index: number): number => parts[index] ?? 0;
  const ipv4From = (high: number, low: number): ipaddr.IPv4 =>
    new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const zeroes = (from: number, to: number): boolean => parts.slice(from, to).every((part) => part === 0);

  // ::ffff:a.b.c.d (RFC 4291 mapped) and ::ffff:0:a.b.c.d (RFC 6145 translated).
  if (zeroes(0, 5) && at(5) === 0xffff) return { form: 'IPv4-mapped', ipv4: ipv4From(at(6), at(7)) };
  if (zeroes(0, 4) && at(4) === 0xffff && at(5) === 0) {
    return { form: 'IPv4-translated', ipv4: ipv4From(at(6), at(7)) };
  }
  // ::a.b.c.d, except :: and ::1 which are their own classes.
  if (zeroes(0, 6) && !(at(6) === 0 && at(7) <= 1)) {
    return { form: 'IPv4-compatible', ipv4: ipv4From(at(6), at(7)) };
  }
  // 2002:AABB:CCDD::/48 is the 6to4 site prefix of AA.BB.CC.DD (RFC 3056).
  if (at(0) === 0x2002) return { form: '6to4 of', ipv4: ipv4From(at(1), at(2)) };
  // 64:ff9b::/96 is the well-known NAT64 prefix (RFC 6052).
  if (at(0) === 0x64 && at(1) === 0xff9b && zeroes(2, 6)) {
    return { form: 'NAT64 of', ipv4: ipv4From(at(6), at(7)) };
  }
  return undefined;
}
