import type { ErrorCode } from '../../../domain/app-error.ts';
import { AppError } from '../../../domain/app-error.ts';

/**
 * Runflow's error envelope (shared/reference/dialects.md §2.6): top-level `{code, message, errors}`,
 * `errors` listing `{field, rule, message}` per broken rule on a 422 and null otherwise. A 422 also
 * carries FastAPI's `detail` list, which Runflow's own skill scripts print.
 */
export function renderRunflowError(error: AppError): { status: number; body: Record<string, unknown> } {
  const status = error.status;
  const errors =
    error.issues.length === 0
      ? null
      : error.issues.map((issue) => ({ field: issue.field, rule: issue.rule, message: issue.message }));
  const body: Record<string, unknown> = {
    code: runflowErrorCode(error.code, status),
    message: error.message,
    errors,
  };
  if (status === 422 && errors !== null) {
    body['detail'] = errors.map((issue) => ({
      loc: ['body', ...issue.field.split('.')],
      msg: issue.message,
      type: issue.rule,
    }));
  }
  return { status, body };
}

const codesByError: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'VALIDATION_ERROR',
  unknown_model: 'MODEL_NOT_FOUND',
  not_found: 'RUN_NOT_FOUND',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'PERMISSION_DENIED',
  invalid_signature: 'PERMISSION_DENIED',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  engine_unavailable: 'MODEL_UNAVAILABLE',
  content_policy_violation: 'CONTENT_POLICY_VIOLATION',
  spend_limit_reached: 'INSUFFICIENT_CREDIT',
  rate_limited: 'RATE_LIMITED',
  queued_limit_reached: 'TOO_MANY_QUEUED_RUNS',
  output_expired: 'OUTPUT_EXPIRED',
};

const codesByStatus: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  422: 'VALIDATION_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** Runflow's upper-case code for an error: by meaning first, then by HTTP status. */
export function runflowErrorCode(code: ErrorCode, status: number): string {
  return codesByError[code] ?? codesByStatus[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

/**
 * The 404 MODEL_NOT_FOUND for a `POST /v1/models/{model…}/runs` whose model is not served here
 * (render it with renderRunflowError), naming the Runflow model ids that are.
 */
export function unknownRunflowModel(modelPath: string, runflowIds: readonly string[]): AppError {
  return new AppError(
    'unknown_model',
    `model "${modelPath}" is not available here; available models: ${runflowIds.join(', ')}`,
    { field: 'model' },
  );
}
