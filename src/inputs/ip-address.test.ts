import { describe, expect, it } from 'vitest';
import { canonicalAddress, parseIpAddress } from './ip-address.ts';

describe('parseIpAddress', () => {
  it('reads IPv4-compatible mixed notation as IPv4-compatible, not IPv4-mapped', () => {
    expect(parseIpAddress('::127.0.0.1')?.toNormalizedString()).toBe('0:0:0:0:0:0:7f00:1');
    expect(parseIpAddress('::ffff:10.0.0.1')?.toNormalizedString()).toBe('0:0:0:0:0:ffff:a00:1');
    expect(parseIpAddress('64:ff9b::10.1.2.3')?.toNormalizedString()).toBe('64:ff9b:0:0:0:0:a01:203');
  });

  it('accepts brackets and zones but no inet_aton spellings', () => {
    expect(parseIpAddress('[::1]')?.toString()).toBe('::1');
    expect(parseIpAddress('fe80::1%eth0')?.toString()).toBe('fe80::1');
    for (const text of ['0x7f.1', '2130706433', '017700000001', '127.1', '::1.2.3', 'localhost', '']) {
      expect(parseIpAddress(text)).toBeUndefined();
    }
  });
});

describe('canonicalAddress', () => {
  it('spells one address one way', () => {
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(canonicalAddress('not-an-address')).toBeUndefined();
  });
});
