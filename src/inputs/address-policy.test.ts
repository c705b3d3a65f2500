import { describe, expect, it } from 'vitest';
import { isForbiddenAddress } from './address-policy.ts';
import { parseAllowList } from './allow-list.ts';

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.1', 'benchmarking'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'Teredo'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['::ffff:0:10.0.0.1', 'IPv4-translated private'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated)'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2002:a00:1::5', '6to4 of private'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::10.1.2.3', 'NAT64 of private'],
    ['64:ff9b:1::1', 'NAT64 local-use'],
    ['[::1]', 'loopback'],
    // getaddrinfo prints IPv4-compatible addresses in mixed notation.
    ['::7f00:1', 'IPv4-compatible loopback'],
  ])('refuses %s as %s', (address, reason) => {
    expect(isForbiddenAddress(address)).toBe(reason);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '2002:808:808::1',
    '64:ff9b::808:808',
  ])('lets the public address %s pass', (address) => {
    expect(isForbiddenAddress(address)).toBeUndefined();
  });

  it('refuses text that is not a canonical IP address', () => {
    expect(isForbiddenAddress('localhost')).toBe('not an IP address');
    expect(isForbiddenAddress('0x7f.1')).toBe('not an IP address');
    expect(isForbiddenAddress('2130706433')).toBe('not an IP address');
  });

  it('lets any address inside the allow-list pass whatever its class', () => {
    const allow = parseAllowList('127.0.0.1, 10.0.0.0/8, fd00::/8');
    expect(isForbiddenAddress('127.0.0.1', allow)).toBeUndefined();
    expect(isForbiddenAddress('::ffff:127.0.0.1', allow)).toBeUndefined();
    expect(isForbiddenAddress('10.200.3.4', allow)).toBeUndefined();
    expect(isForbiddenAddress('fd00::5', allow)).toBeUndefined();
    expect(isForbiddenAddress('127.0.0.2', allow)).toBe('loopback');
    expect(isForbiddenAddress('192.168.0.1', allow)).toBe('private');
  });
});
