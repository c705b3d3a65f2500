import { createHmac, timingSafeEqual } from 'node:crypto';

/** The outcome of checking a signed file URL. */
export type SignatureCheck = 'ok' | 'expired' | 'invalid';

/** Shortest secret accepted; the generated one is 32 random bytes (43 base64url characters). */
const minimumSecretLength = 16;

/** HMAC-SHA256 is 32 bytes, which base64url spells in exactly 43 characters (no padding). */
const signatureLength = 43;

/**
 * Signs and checks download URLs for the local blob store. A signature covers the blob key and the
 * expiry together (`key + "\n" + expiresEpochSeconds`), so it cannot be moved to another key or
 * given a later expiry. Keys never contain a newline and the expiry is only digits, so the
 * signed message splits back into exactly one (key, expiry) pair: no two pairs share a signature.
 */
export class UrlSigner {
  readonly #secret: Buffer;

  /** @param secret the HMAC key; at least 16 characters (see `loadOrCreateSigningSecret`). */
  constructor(secret: string) {
    if (secret.length < minimumSecretLength) {
      throw new Error(`the URL signing secret must be at least ${minimumSecretLength} characters`);
    }
    this.#secret = Buffer.from(secret, 'utf8');
  }

  /** The base64url signature of `key` valid until `expiresEpochSeconds` (a whole number of seconds). */
  sign(key: string, expiresEpochSeconds: number): string {
    if (!Number.isSafeInteger(expiresEpochSeconds)) {
      throw new Error(`a URL expiry must be a whole number of seconds, got ${expiresEpochSeconds}`);
    }
    return createHmac('sha256', this.#secret)
      .update(`${key}\n${expiresEpochSeconds}`, 'utf8')
      .digest('base64url');
  }

  /**
   * Checks a signature. The signature is checked before the expiry, so `expired` is only ever
   * reported for a URL this server really issued; anything forged or altered is `invalid`.
   *
   * @param now the current time in epoch milliseconds (as `Date.now()`); a URL is valid up to and
   *   including its expiry second.
   */
  verify(key: string, expiresEpochSeconds: number, signature: string, now: number): SignatureCheck {
    if (!Number.isSafeInteger(expiresEpochSeconds)) return 'invalid';
    // Compare the canonical text, not decoded bytes: base64url decoding is lenient (it skips
    // stray characters and ignores padding bits), so decoding first would accept many spellings
    // of one signature.
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== signatureLength) return 'invalid';
    const expected = Buffer.from(this.sign(key, expiresEpochSeconds), 'utf8');
    if (!timingSafeEqual(given, expected)) return 'invalid';
    return Math.floor(now / 1000) > expiresEpochSeconds ? 'expired' : 'ok';
  }
}
