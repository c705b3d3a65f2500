import type { FastifyRequest } from 'fastify';
import type { ApiKey } from '../domain/api-key.ts';
import { AppError } from '../domain/app-error.ts';
import { hashSecret } from '../keys/api-keys.ts';
import type { JobStore } from '../store/job-store.ts';

/**
 * Bearer-key authentication. Keys are looked up by the SHA-256 of the secret, so the database
 * never holds a usable secret. Every dialect's routes call `authenticate` first.
 */
export type Authenticator = (request: FastifyRequest) => Promise<ApiKey>;

export function createAuthenticator(store: JobStore): Authenticator {
  return async (request) => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      throw new AppError('unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null || match[1] === undefined) {
      throw new AppError('unauthorized', 'malformed Authorization header: expected "Bearer <key>"');
    }
    const key = await store.findActiveApiKeyByHash(hashSecret(match[1]));
    if (key === undefined) throw new AppError('unauthorized', 'invalid or revoked API key');
    return key;
  };
}
