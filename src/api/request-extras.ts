import type { FastifyRequest } from 'fastify';
import type { FieldIssue } from '../domain/app-error.ts';
import { AppError } from '../domain/app-error.ts';

/**
 * Request parts every dialect's create route shares: the `Idempotency-Key` header and a
 * `callback_url`. Their rules live here once so every dialect refuses the same things.
 */

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/**
 * The `Idempotency-Key` header with what the request asked for, ready for `SubmitCommand.idempotency`,
 * or undefined when the header is absent. `what` must identify the request fully (route model and
 * body), since the same key with anything else is a conflict.
 */
export function idempotencyOf(
  request: FastifyRequest,
  what: unknown,
): { readonly key: string; readonly body: unknown } | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !keyPattern.test(key)) {
    throw AppError.validation([
      {
        field: 'Idempotency-Key',
        rule: 'format',
        message: 'the Idempotency-Key header must be 1–255 printable ASCII characters without spaces',
      },
    ]);
  }
  return { key, body: what };
}

/** Checks a client-supplied callback URL: absolute http(s), at most 2048 characters. */
export function callbackUrlIssue(value: string, field: string): FieldIssue | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { field, rule: 'format', message: `${field} must be an absolute http(s) URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      field,
      rule: 'format',
      message: `${field} must use http or https, got ${url.protocol.replace(':', '')}`,
    };
  }
  if (value.length > 2048)
    return { field, rule: 'max_length', message: `${field} must be at most 2048 characters` };
  return undefined;
}
