import ipaddr from 'ipaddr.js';

/**
 * Parses an IP address strictly: IPv4 only as four decimal parts, IPv6 in any RFC 4291 form, with
 * optional brackets and zone. Undefined for anything else, including the inet_aton spellings
 * (`0x7f.1`, `2130706433`) that must never be taken for an address here.
 *
 * ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d`, but getaddrinfo prints IPv4-compatible
 * addresses exactly that way, so a dotted-quad tail is rewritten to hex before ipaddr.js sees it.
 */
export function parseIpAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const address = unbracketed.replace(/%.*$/, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  const dottedTail = /^(.*:)([0-9]+(?:\.[0-9]+)+)$/.exec(address);
  let hexadecimal = address;
  if (dottedTail !== null) {
    const [, head = '', tail = ''] = dottedTail;
    if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
    const [first = 0, second = 0, third = 0, fourth = 0] = ipaddr.IPv4.parse(tail).octets;
    hexadecimal = `${head}${((first << 8) | second).toString(16)}:${((third << 8) | fourth).toString(16)}`;
  }
  return ipaddr.IPv6.isValid(hexadecimal) ? ipaddr.IPv6.parse(hexadecimal) : undefined;
}

/**
 * One spelling per address, for comparing a socket's peer with the address that was checked:
 * IPv6 in RFC 5952 form and IPv4-mapped IPv6 as plain IPv4. Undefined for text that is not an address.
 */
export function canonicalAddress(text: string): string | undefined {
  const address = parseIpAddress(text);
  if (address === undefined) return undefined;
  return toIpv4IfMapped(address).toString();
}

/** A dual-stack socket speaks to `::ffff:a.b.c.d` as to `a.b.c.d`; compare them as such. */
export function toIpv4IfMapped(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}
