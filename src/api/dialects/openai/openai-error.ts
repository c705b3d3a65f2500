import type { AppError, ErrorCode, FieldIssue } from '../../../domain/app-error.ts';

/**
 * OpenAI's error envelope, `{error: {message, type, param, code}}` (reference §5.4). Every client
 * mistake is a 400-family `invalid_request_error` as OpenAI's own API answers it: validation
 * failures are 400 (not Reelgate's 422), an unknown model is 400 naming `model`, a bad
 * key is 401 with `invalid_api_key`, and conflicts keep their 409.
 */
export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: string | null;
  };
}

/** Reelgate codes whose OpenAI counterpart has another name; the rest keep their own code. */
const codeNames: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'invalid_api_key',
  unknown_model: 'model_not_found',
  not_ready: 'video_not_ready',
  not_deletable: 'video_not_deletable',
  rate_limited: 'rate_limit_exceeded',
  queued_limit_reached: 'rate_limit_exceeded',
  spend_limit_reached: 'insufficient_quota',
};

/** Validation rules → OpenAI's parameter error codes. */
const ruleCodes: Readonly<Record<string, string>> = {
  required: 'missing_required_parameter',
  unknown_field: 'unknown_parameter',
  type: 'invalid_type',
  unknown_model: 'model_not_found',
};

/** Codes that OpenAI reports as a plain 400 whatever status Reelgate gives them. */
const badRequestCodes: ReadonlySet<ErrorCode> = new Set(['validation_failed', 'unknown_model']);

export function renderOpenAiError(error: AppError): { status: number; body: OpenAiErrorBody } {
  const status = badRequestCodes.has(error.code) ? 400 : error.status;
  return {
    status,
    body: {
      error: {
        message: error.message,
        type: errorType(status),
        param: error.field ?? null,
        code: errorCode(error),
      },
    },
  };
}

function errorType(status: number): string {
  if (status >= 500) return 'server_error';
  if (status === 429) return 'rate_limit_exceeded';
  return 'invalid_request_error';
}

function errorCode(error: AppError): string {
  if (error.code === 'validation_failed') return issueCode(error.issues[0]);
  return codeNames[error.code] ?? error.code;
}

function issueCode(issue: FieldIssue | undefined): string {
  if (issue === undefined) return 'invalid_value';
  return ruleCodes[issue.rule] ?? 'invalid_value';
}
