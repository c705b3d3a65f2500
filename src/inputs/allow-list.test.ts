import { describe, expect, it } from 'vitest';
import { emptyAllowList, parseAllowList } from './allow-list.ts';

describe('parseAllowList', () => {
  it('allows nothing when empty or unset', () => {
    for (const list of [emptyAllowList, parseAllowList(undefined), parseAllowList(' , ,')]) {
      expect(list.entries).toEqual([]);
      expect(list.allowsAddress('127.0.0.1')).toBe(false);
      expect(list.allowsHost('localhost')).toBe(false);
    }
  });

  it('matches IPv4 and IPv6 addresses and CIDR ranges', () => {
    const list = parseAllowList(' 127.0.0.1 ,10.0.0.0/8, [::1], fd00::/8, [fe80::]/10 ');
    expect(list.entries).toEqual(['127.0.0.1', '10.0.0.0/8', '[::1]', 'fd00::/8', '[fe80::]/10']);
    expect(list.allowsAddress('127.0.0.1')).toBe(true);
    expect(list.allowsAddress('127.0.0.2')).toBe(false);
    expect(list.allowsAddress('10.255.0.1')).toBe(true);
    expect(list.allowsAddress('11.0.0.1')).toBe(false);
    expect(list.allowsAddress('::1')).toBe(true);
    expect(list.allowsAddress('[::1]')).toBe(true);
    expect(list.allowsAddress('fd12::1')).toBe(true);
    expect(list.allowsAddress('fe80::1%eth0')).toBe(true);
    expect(list.allowsAddress('fc00::1')).toBe(false);
    // IPv4-mapped IPv6 is the IPv4 address on a dual-stack socket.
    expect(list.allowsAddress('::ffff:10.1.2.3')).toBe(true);
    expect(list.allowsAddress('not an address')).toBe(false);
    expect(parseAllowList('::ffff:192.168.0.0/112').allowsAddress('192.168.4.5')).toBe(true);
  });

  it('matches host names exactly, case-insensitively, and by wildcard', () => {
    const list = parseAllowList('MinIO.internal, *.corp.example, localhost.');
    expect(list.allowsHost('minio.internal')).toBe(true);
    expect(list.allowsHost('MINIO.INTERNAL.')).toBe(true);
    expect(list.allowsHost('other.internal')).toBe(false);
    expect(list.allowsHost('a.corp.example')).toBe(true);
    expect(list.allowsHost('a.b.corp.example')).toBe(true);
    expect(list.allowsHost('corp.example')).toBe(false);
    expect(list.allowsHost('evilcorp.example')).toBe(false);
    expect(list.allowsHost('localhost')).toBe(true);
    // Names never allow addresses, and addresses never allow names.
    expect(list.allowsAddress('127.0.0.1')).toBe(false);
    expect(parseAllowList('127.0.0.1').allowsHost('127.0.0.1')).toBe(false);
  });

  it.each([
    ['10.0.0.0/33', 'prefix length'],
    ['10.0.0.0/x', 'prefix length'],
    ['10.0.0.0/8/9', 'more than one "/"'],
    ['10.0.0.300', 'dotted-quad'],
    ['127.1', 'dotted-quad'],
    ['::zz', 'IPv6'],
    ['minio.internal:9000', 'port'],
    ['example.com/8', 'only IP addresses'],
    ['*', 'every host'],
    ['http://example.com', 'not a URL'],
    ['bad_host!', 'neither'],
    ['a..b', 'neither'],
    ['foo.*.example', 'neither'],
  ])('rejects the malformed entry %s', (entry, reason) => {
    expect(() => parseAllowList(`example.org, ${entry}`)).toThrow(`malformed allow-list entry "${entry}"`);
    expect(() => parseAllowList(entry)).toThrow(reason);
  });
});
