/**
 * The SDK's errors: one class per kind of failure a caller handles differently, all extending
 * {@link ReelgateError}. An HTTP error carries the server's stable `code`, the offending `field`
 * and every broken rule (`issues`), whichever error envelope the route used.
 */

/** One broken rule on one field, as the server reports it. */
export interface ErrorIssue {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export interface ReelgateErrorDetails {
  /** The HTTP status; undefined when no response arrived. */
  readonly status?: number | undefined;
  /** The server's stable snake_case code (`validation_failed`, `not_found`, …). */
  readonly code?: string | undefined;
  readonly field?: string | undefined;
  readonly issues?: readonly ErrorIssue[] | undefined;
  /** The response headers, when there was a response. */
  readonly headers?: Headers | undefined;
  readonly cause?: unknown;
}

/** Any failure of an SDK call. */
export class ReelgateError extends Error {
  readonly status: number | undefined;
  readonly code: string;
  readonly field: string | undefined;
  readonly issues: readonly ErrorIssue[];
  readonly headers: Headers | undefined;

  constructor(message: string, details: ReelgateErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.code = details.code ?? 'error';
    this.field = details.field;
    this.issues = details.issues ?? [];
    this.headers = details.headers;
  }
}

/** 400 or 422: the request broke a rule; `issues` lists each field and rule. */
export class BadRequestError extends ReelgateError {}
/** 401: no API key, or one the server does not know. */
export class AuthenticationError extends ReelgateError {}
/** 403: the key may not do this. */
export class PermissionDeniedError extends ReelgateError {}
/** 404: no such job, asset or model (another key's job is "not found" too). */
export class NotFoundError extends ReelgateError {}
/** 409: the job is not in a state that allows this, or an idempotency key was reused. */
export class ConflictError extends ReelgateError {}
/** 429: too many requests. */
export class RateLimitError extends ReelgateError {}
/** 5xx: the server failed. */
export class InternalServerError extends ReelgateError {}
/** No response: the connection failed or the request timed out. */
export class ConnectionError extends ReelgateError {}
/** The request took longer than the client's `timeoutMs`. */
export class ConnectionTimeoutError extends ConnectionError {}
/** The caller's AbortSignal fired. */
export class RequestAbortedError extends ReelgateError {}
/** A webhook whose signature or timestamp does not check out. */
export class WebhookVerificationError extends ReelgateError {}

/** The error class for an HTTP status. */
export function errorClassFor(status: number): typeof ReelgateError {
  if (status === 400 || status === 422) return BadRequestError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitError;
  if (status >= 500) return InternalServerError;
  return ReelgateError;
}

/**
 * The error for a response that was not 2xx. Reads Reelgate's neutral envelope
 * (`{error: {code, message, field, issues}}`) and, for routes that belong to a dialect, the
 * top-level `{code, message, errors}` and `{detail}` shapes.
 */
export function errorFromResponse(status: number, headers: Headers, body: unknown): ReelgateError {
  const envelope = asRecord(body);
  const inner = asRecord(envelope?.['error']) ?? envelope;
  const message =
    text(inner?.['message']) ?? text(envelope?.['detail']) ?? `the server answered HTTP ${status}`;
  const issues = issuesOf(inner?.['issues'] ?? envelope?.['errors']);
  const ErrorClass = errorClassFor(status);
  return new ErrorClass(message, {
    status,
    code: text(inner?.['code']) ?? text(inner?.['type']) ?? `http_${status}`,
    field: text(inner?.['field']) ?? issues[0]?.field,
    issues,
    headers,
  });
}

function issuesOf(value: unknown): ErrorIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const issue = asRecord(entry);
    const field = text(issue?.['field']);
    const message = text(issue?.['message']);
    return field === undefined || message === undefined
      ? []
      : [{ field, rule: text(issue?.['rule']) ?? 'invalid', message }];
  });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
