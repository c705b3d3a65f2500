import { describe, expect, it } from 'vitest';
import { UrlSigner } from './url-signer.ts';

const signer = new UrlSigner('a-test-secret-of-enough-length');
const key = 'outputs/job_123/video.mp4';
const expires = 1_800_000_000;
const before = (expires - 10) * 1000;

describe('UrlSigner', () => {
  it('accepts its own signature until the expiry second ends', () => {
    const signature = signer.sign(key, expires);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(key, expires, signature, before)).toBe('ok');
    expect(signer.verify(key, expires, signature, expires * 1000 + 999)).toBe('ok');
  });

  it('reports expired once the expiry second has passed', () => {
    const signature = signer.sign(key, expires);
    expect(signer.verify(key, expires, signature, (expires + 1) * 1000)).toBe('expired');
  });

  it('rejects a tampered signature', () => {
    const signature = signer.sign(key, expires);
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    expect(signer.verify(key, expires, flipped, before)).toBe('invalid');
    expect(signer.verify(key, expires, signature.slice(1), before)).toBe('invalid');
    expect(signer.verify(key, expires, `${signature}=`, before)).toBe('invalid');
    expect(signer.verify(key, expires, '', before)).toBe('invalid');
    // Same length in characters, more bytes: must not reach timingSafeEqual with unequal lengths.
    expect(signer.verify(key, expires, 'é'.repeat(43), before)).toBe('invalid');
  });

  it('rejects a tampered expiry, even an expired one, as invalid rather than expired', () => {
    const signature = signer.sign(key, expires);
    expect(signer.verify(key, expires + 3600, signature, before)).toBe('invalid');
    expect(signer.verify(key, expires - 3600, signature, (expires + 1) * 1000)).toBe('invalid');
    expect(signer.verify(key, Number.NaN, signature, before)).toBe('invalid');
    expect(signer.verify(key, expires + 0.5, signature, before)).toBe('invalid');
  });

  it('never validates a signature for another key', () => {
    const signature = signer.sign(key, expires);
    expect(signer.verify('outputs/job_124/video.mp4', expires, signature, before)).toBe('invalid');
    expect(signer.verify(`${key}x`, expires, signature, before)).toBe('invalid');
  });

  it('depends on the secret', () => {
    const other = new UrlSigner('another-secret-of-enough-length');
    expect(other.verify(key, expires, signer.sign(key, expires), before)).toBe('invalid');
  });

  it('refuses a short secret and a fractional expiry', () => {
    expect(() => new UrlSigner('short')).toThrow(/at least 16/);
    expect(() => signer.sign(key, 1.5)).toThrow(/whole number/);
  });
});
