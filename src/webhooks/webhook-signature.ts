import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signatures of webhook deliveries, over exactly the bytes sent.
 *
 * Standard Webhooks (https://www.standardwebhooks.com): the secret is `whsec_` + base64 of the key
 * bytes; the signature is `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`;
 * several signatures (one per active secret, during a rotation) are separated by spaces.
 *
 * Runflow: `Runflow-Signature` is the lowercase hex HMAC-SHA256 of the raw body keyed with the
 * plain secret string as the client holds it (`whsec_…`), with no timestamp and no prefix.
 */

const secretPrefix = 'whsec_';

/** A fresh signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64')}`;
}

/** The key bytes of a `whsec_` secret (base64 after the prefix). */
function keyBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret, 'base64');
}

/** One `v1,<base64>` signature per secret, space-separated, for the `webhook-signature` header. */
export function standardWebhookSignature(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: Buffer,
): string {
  return secrets
    .map((secret) => {
      const hmac = createHmac('sha256', keyBytes(secret));
      hmac.update(`${id}.${timestampSeconds}.`);
      hmac.update(body);
      return `v1,${hmac.digest('base64')}`;
    })
    .join(' ');
}

/** Runflow's signature: lowercase hex HMAC-SHA256 of the body with the plain secret as the key. */
export function runflowSignature(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}
