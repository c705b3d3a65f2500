import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiKey } from '../domain/api-key.ts';
import { AppError } from '../domain/app-error.ts';
import { hashSecret } from '../keys/api-keys.ts';
import type { JobStore } from '../store/job-store.ts';
import type { KeyPolicy } from '../usage/key-policy.ts';
import { requestKindOf } from '../usage/key-policy.ts';

/**
 * Bearer-key authentication. Keys are looked up by the SHA-256 of the secret, so the database
 * never holds a usable secret. Every dialect's routes call `authenticate` first.
 */
export type Authenticator = (request: FastifyRequest) => Promise<ApiKey>;

/**
 * With a `policy`, every authenticated request also counts against its key's requests per minute
 * (create or read, by method) and is refused with 429 `rate_limited` past the limit.
 */
export function createAuthenticator(store: JobStore, policy?: KeyPolicy): Authenticator {
  return async (request) => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      throw new AppError('unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null || match[1] === undefined) {
      throw new AppError('unauthorized', 'malformed Authorization header: expected "Bearer <key>"');
    }
    const secretHash = hashSecret(match[1]);
    const key = await store.findActiveApiKeyByHash(secretHash);
    // The database compares digests, never secrets; the one comparison made here is constant-time.
    if (key === undefined || !sameDigest(key.secretHash, secretHash)) {
      throw new AppError('unauthorized', 'invalid or revoked API key');
    }
    await policy?.admitRequest(key, requestKindOf(request.method));
    return key;
  };
}

/** Compares two hex digests in time that does not depend on where they differ. */
function sameDigest(stored: string, presented: string): boolean {
  const left = Buffer.from(stored, 'utf8');
  const right = Buffer.from(presented, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
