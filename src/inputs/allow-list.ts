import ipaddr from 'ipaddr.js';
import { parseIpAddress, toIpv4IfMapped } from './ip-address.ts';

/**
 * The operator's list of fetch targets that are trusted even though they sit on a forbidden
 * network (a MinIO on the LAN, a fixture server on loopback). A target on the list may be fetched
 * whatever its address class, and over plain http.
 */
export interface AllowList {
  /** The entries as written (trimmed), for logs and error messages. */
  readonly entries: readonly string[];
  /**
   * Whether a host name is listed, exactly or through a `*.example.com` wildcard. Host names are
   * compared case-insensitively and without a trailing dot; IP literals never match a name entry.
   */
  allowsHost(hostname: string): boolean;
  /** Whether an IP address lies inside a listed address or CIDR range (IPv4-mapped IPv6 counts as IPv4). */
  allowsAddress(address: string): boolean;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** One DNS label: letters, digits, hyphens and (for internal names) underscores, at most 63 long. */
const labelPattern = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Parses a comma-separated allow-list such as `10.0.0.0/8, fd00::/8, minio.internal, *.corp.example`.
 * Entries are IPv4 or IPv6 addresses, CIDR ranges (IPv6 may be bracketed) and host names.
 * Blank entries are ignored.
 *
 * @throws Error naming the first malformed entry and why it is malformed.
 */
export function parseAllowList(text: string | undefined): AllowList {
  const entries: string[] = [];
  const ranges: Range[] = [];
  const exactHosts = new Set<string>();
  const wildcardSuffixes: string[] = [];

  for (const rawEntry of (text ?? '').split(',')) {
    const entry = rawEntry.trim();
    if (entry === '') continue;
    entries.push(entry);
    const range = parseRange(entry);
    if (range !== undefined) {
      ranges.push(range);
      continue;
    }
    const hostname = parseHostname(entry);
    if (hostname.startsWith('*.')) wildcardSuffixes.push(hostname.slice(1));
    else exactHosts.add(hostname);
  }

  return {
    entries,
    allowsHost(hostname) {
      const name = normalizeHostname(hostname);
      if (parseIpAddress(name) !== undefined) return false;
      return exactHosts.has(name) || wildcardSuffixes.some((suffix) => name.endsWith(suffix));
    },
    allowsAddress(address) {
      const parsed = parseIpAddress(address);
      if (parsed === undefined) return false;
      const comparable = toIpv4IfMapped(parsed);
      return ranges.some(
        ([network, bits]) => comparable.kind() === network.kind() && comparable.match(network, bits),
      );
    },
  };
}

/** An allow-list that allows nothing; the default when the operator configured none. */
export const emptyAllowList: AllowList = parseAllowList(undefined);

/** An address or CIDR entry as a range, or undefined when the entry is not address-like at all. */
function parseRange(entry: string): Range | undefined {
  if (entry.includes('://')) throw malformed(entry, 'give a host name, not a URL');
  const [addressPart = '', bitsPart, ...extra] = entry.split('/');
  const address = stripBrackets(addressPart);
  const looksLikeIpv6 = address.includes(':');
  // A name whose last label is numeric would be read as an IPv4 address by the URL parser, so an
  // all-numeric entry is an address or a mistake, never a host name.
  const looksLikeIpv4 = /^[0-9.]+$/.test(address);
  if (!looksLikeIpv6 && !looksLikeIpv4 && bitsPart === undefined) return undefined;

  if (extra.length > 0) throw malformed(entry, 'it has more than one "/"');
  if (looksLikeIpv4 && !ipaddr.IPv4.isValidFourPartDecimal(address)) {
    throw malformed(entry, 'it is not a dotted-quad IPv4 address');
  }
  if (looksLikeIpv6 && parseIpAddress(address) === undefined) {
    throw malformed(entry, 'it is not a valid IPv6 address (a host name may not carry a port)');
  }
  if (!looksLikeIpv6 && !looksLikeIpv4) throw malformed(entry, 'only IP addresses take a "/prefix"');

  const parsed = parseIpAddress(address);
  if (parsed === undefined) throw malformed(entry, 'it is not a valid IP address');
  const maximumBits = parsed.kind() === 'ipv4' ? 32 : 128;
  const bits = bitsPart === undefined ? maximumBits : /^[0-9]{1,3}$/.test(bitsPart) ? Number(bitsPart) : -1;
  if (!(bits >= 0 && bits <= maximumBits)) {
    throw malformed(entry, `the prefix length must be a whole number from 0 to ${maximumBits}`);
  }
  // Addresses are matched with IPv4-mapped IPv6 turned into IPv4, so such an entry must be too.
  const ipv4 = toIpv4IfMapped(parsed);
  return ipv4 !== parsed && bits >= 96 ? [ipv4, bits - 96] : [parsed, bits];
}

/** A host-name entry, lower-cased; `*.` is allowed only as the whole first label. */
function parseHostname(entry: string): string {
  const hostname = normalizeHostname(entry);
  if (hostname === '*' || hostname === '*.') throw malformed(entry, 'a bare "*" would allow every host');
  const labels = (hostname.startsWith('*.') ? hostname.slice(2) : hostname).split('.');
  if (hostname.length > 253 || !labels.every((label) => labelPattern.test(label))) {
    throw malformed(entry, 'it is neither an IP address, a CIDR range nor a host name');
  }
  return hostname;
}

function normalizeHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

function stripBrackets(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}

function malformed(entry: string, reason: string): Error {
  return new Error(`malformed allow-list entry "${entry}": ${reason}`);
}
