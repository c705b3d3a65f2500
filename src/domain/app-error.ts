/**
 * The one error type that crosses layers. Every failure a client can see is an AppError with a
 * stable snake_case `code`; dialects render it in their own envelope, nothing else formats errors.
 */

/** One broken rule on one field, reported by path (`duration`, `images[3]`). */
export interface FieldIssue {
  /** Dotted path with bracketed indexes, relative to the dialect's input object. */
  readonly field: string;
  /** The rule that was broken: `required`, `type`, `enum`, `minimum`, `maximum`, `max_items`, `unknown_field`, … */
  readonly rule: string;
  /** A human sentence that names the field and the rule. */
  readonly message: string;
}

/** Stable error codes. Adding one is fine; renaming one breaks clients. */
export const errorCodes = {
  validation_failed: 422,
  invalid_json: 400,
  unknown_model: 404,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  not_cancellable: 409,
  not_deletable: 409,
  idempotency_conflict: 409,
  not_ready: 409,
  /** A callback redelivery was asked for a job created without a callback URL. */
  no_callback: 409,
  payload_too_large: 413,
  unsupported_media_input: 422,
  /** A media input that was fetched or read but broke a rule (type, size, duration, …). */
  input_rejected: 422,
  /** A media input URL that may not be fetched (private address, scheme, redirect limit). */
  input_forbidden: 422,
  /** A media input that could not be fetched (timeout, connection error, HTTP error). */
  input_unreachable: 422,
  /**
   * Content safety: a prompt matched an operator rule (at submit), or an input or output was
   * classified NSFW under REELGATE_SAFETY=block (the job fails). The message names the stage.
   */
  content_policy_violation: 400,
  invalid_signature: 403,
  /** A key's requests per minute (create or read) are used up; `retryAfterSeconds` says when to retry. */
  rate_limited: 429,
  /** A key already has its most queued jobs; one must start or finish first. */
  queued_limit_reached: 429,
  /** A key's monthly spend cap would be passed (jobs still queued or running count). */
  spend_limit_reached: 402,
  range_not_satisfiable: 416,
  /** The job's outputs were kept for the retention period and then deleted (REELGATE_OUTPUT_TTL_HOURS). */
  output_expired: 410,
  engine_unavailable: 503,
  engine_failed: 500,
  output_invalid: 500,
  lease_expired: 500,
  job_expired: 504,
  cancelled: 409,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface AppErrorOptions {
  /** The offending field path, when the error is about one field. */
  field?: string;
  /** Every broken rule, for validation errors (reported all at once). */
  issues?: readonly FieldIssue[];
  /** Whether running the same work again may succeed (worker retries these). */
  retryable?: boolean;
  /** Override of the HTTP status that the code implies. */
  status?: number;
  /** Seconds after which the same request may succeed; sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Facts a client may act on (the limit that was hit, its window), rendered where a dialect has room. */
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly issues: readonly FieldIssue[];
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? errorCodes[code];
    this.field = options.field;
    this.issues = options.issues ?? [];
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  /** A validation error that lists every issue; the message names each field and rule. */
  static validation(issues: readonly FieldIssue[]): AppError {
    const message = issues.map((issue) => issue.message).join('; ');
    const first = issues[0];
    return new AppError('validation_failed', message || 'the request body is invalid', {
      issues,
      ...(first === undefined ? {} : { field: first.field }),
    });
  }
}

/** Narrow anything thrown to an AppError; unknown throwables become a non-retryable internal error. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal_error', message, { cause: error });
}
