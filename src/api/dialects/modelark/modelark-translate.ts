import type { FieldIssue } from '../../../domain/app-error.ts';
import { AppError } from '../../../domain/app-error.ts';
import type { Job, JobStatus } from '../../../domain/job.ts';
import type { SeedanceDraft } from '../seedance-content/seedance-request.ts';
import { parseSeedanceFields, unknownFieldIssues } from '../seedance-content/seedance-fields.ts';
import { arkStatus } from '../seedance-content/ark-task-object.ts';

/**
 * Pure translations for the BytePlus ModelArk / Volcengine Ark task API (reference §4): the create
 * body, the list query, the DELETE rule and the `{error: {code, message, param, type}}` envelope.
 */

/** The create body split into the model id and the Seedance task; `model` is undefined when missing. */
export function parseModelArkBody(body: unknown): {
  model: string | undefined;
  draft: Omit<SeedanceDraft, 'requestedModel'>;
  issues: FieldIssue[];
} {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw AppError.validation([
      { field: 'body', rule: 'type', message: 'the request body must be a JSON object' },
    ]);
  }
  const object = body as Record<string, unknown>;
  const issues = unknownFieldIssues(object, '', ['model']);
  const model = object['model'];
  let requested: string | undefined;
  if (typeof model === 'string' && model.trim() !== '') requested = model.trim();
  else if (model === undefined || model === null || model === '') {
    issues.push({ field: 'model', rule: 'required', message: 'model is required' });
  } else {
    issues.push({ field: 'model', rule: 'type', message: 'model must be a string (a model id)' });
  }
  const parsed = parseSeedanceFields(object, '');
  issues.push(...parsed.issues);
  if (object['content'] === undefined || object['content'] === null) {
    issues.push({
      field: 'content',
      rule: 'required',
      message: 'content is required: an array with a text item holding the prompt',
    });
  }
  return { model: requested, draft: { fields: parsed.fields }, issues };
}

/** `filter.status` words → the job states they cover (`failed` includes expired, as rendered). */
const statusFilter: Record<string, readonly JobStatus[]> = {
  queued: ['queued'],
  running: ['running'],
  succeeded: ['succeeded'],
  failed: ['failed', 'expired'],
  cancelled: ['cancelled'],
  expired: ['expired'],
};

/** A parsed list query: 1-based page, page size, and the filters that were given. */
export interface ArkListQuery {
  readonly pageNum: number;
  readonly pageSize: number;
  readonly statuses?: readonly JobStatus[];
  readonly ids?: readonly string[];
  readonly models?: readonly string[];
}

/**
 * The list query (`page_num`, `page_size` 1–500 default 10, `filter.status`, `filter.task_ids`
 * repeated or comma-separated, `filter.model` any model id). `modelId` maps any alias to the
 * catalog id, or undefined for an unknown model.
 */
export function parseListQuery(
  query: Readonly<Record<string, unknown>>,
  modelId: (id: string) => string | undefined,
): ArkListQuery {
  const issues: FieldIssue[] = [];
  const single = (name: string): string | undefined => {
    const value = query[name];
    return Array.isArray(value)
      ? String(value[value.length - 1])
      : value === undefined
        ? undefined
        : String(value);
  };
  const integer = (name: string, fallback: number, minimum: number, maximum: number): number => {
    const value = single(name);
    if (value === undefined || value === '') return fallback;
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isInteger(number) && number >= minimum && number <= maximum) return number;
    issues.push({
      field: name,
      rule: 'range',
      message: `${name} must be an integer from ${minimum} to ${maximum}, got ${JSON.stringify(value)}`,
    });
    return fallback;
  };
  const pageNum = integer('page_num', 1, 1, 1_000_000);
  const pageSize = integer('page_size', 10, 1, 500);

  const status = single('filter.status');
  let statuses: readonly JobStatus[] | undefined;
  if (status !== undefined && status !== '') {
    statuses = statusFilter[status];
    if (statuses === undefined) {
      issues.push({
        field: 'filter.status',
        rule: 'enum',
        message: `filter.status must be one of ${Object.keys(statusFilter).join(', ')}, got ${JSON.stringify(status)}`,
      });
    }
  }
  const rawIds = query['filter.task_ids'];
  const ids = (Array.isArray(rawIds) ? rawIds : rawIds === undefined ? [] : [rawIds])
    .flatMap((value) => String(value).split(','))
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const model = single('filter.model');
  let models: string[] | undefined;
  if (model !== undefined && model !== '') {
    const id = modelId(model);
    if (id === undefined) {
      issues.push({
        field: 'filter.model',
        rule: 'enum',
        message: `filter.model: model "${model}" is not available here`,
      });
    } else models = [id];
  }
  if (issues.length > 0) throw AppError.validation(issues);
  return {
    pageNum,
    pageSize,
    ...(statuses === undefined ? {} : { statuses }),
    ...(ids.length === 0 ? {} : { ids }),
    ...(models === undefined ? {} : { models }),
  };
}

/**
 * What DELETE does to a task in each state (reference §4, [BP-del]): a queued task is cancelled,
 * a finished one (succeeded, failed, expired) is deleted, a running or cancelled one is refused.
 */
export function deleteAction(job: Job): 'cancel' | 'delete' | 'refuse' {
  switch (job.status) {
    case 'queued':
      return 'cancel';
    case 'succeeded':
    case 'failed':
    case 'expired':
      return 'delete';
    case 'running':
    case 'cancelled':
      return 'refuse';
  }
}

/** The 409 for a task DELETE cannot touch, naming its state in Ark's words. */
export function deleteRefused(job: Job): AppError {
  const status = arkStatus(job.status);
  return new AppError(
    'not_deletable',
    `task ${job.id} is ${status}: a queued task can be cancelled and a succeeded, failed or expired task deleted, but a ${status} task cannot be changed`,
  );
}

const errorStyles: Partial<Record<AppError['code'], { code: string; type: string; status?: number }>> = {
  unauthorized: { code: 'AuthenticationError', type: 'Unauthorized' },
  forbidden: { code: 'AccessDenied', type: 'Forbidden' },
  not_found: { code: 'ResourceNotFound', type: 'NotFound' },
  // Ark documents no answer for a task whose video is gone (its URLs simply die after 24 h).
  output_expired: { code: 'ResourceExpired', type: 'Gone' },
  unknown_model: { code: 'InvalidEndpointOrModel.NotFound', type: 'NotFound' },
  idempotency_conflict: { code: 'IdempotencyConflict', type: 'Conflict' },
  not_deletable: { code: 'OperationDenied.InvalidState', type: 'Conflict' },
  not_cancellable: { code: 'OperationDenied.InvalidState', type: 'Conflict' },
  payload_too_large: { code: 'RequestEntityTooLarge', type: 'BadRequest' },
  rate_limited: { code: 'RateLimitExceeded', type: 'TooManyRequests' },
  queued_limit_reached: { code: 'QuotaExceeded', type: 'TooManyRequests' },
  // Ark's answer for an account without balance is a 403.
  spend_limit_reached: { code: 'AccountOverdueError', type: 'Forbidden', status: 403 },
};

/**
 * Ark's error envelope `{error: {code, message, param, type}}`. Bad input is 400 `MissingParameter`
 * (every issue is a missing field) or `InvalidParameter`, with `param` = the first field's path and
 * a message naming every issue (Ark has no 422).
 */
export function renderModelArkError(error: AppError): { status: number; body: Record<string, unknown> } {
  const envelope = (status: number, code: string, type: string, param: string | null) => ({
    status,
    body: { error: { code, message: error.message, param, type } },
  });
  switch (error.code) {
    case 'validation_failed': {
      const missing = error.issues.length > 0 && error.issues.every((issue) => issue.rule === 'required');
      return envelope(
        400,
        missing ? 'MissingParameter' : 'InvalidParameter',
        'BadRequest',
        error.field ?? null,
      );
    }
    case 'invalid_json':
      return envelope(error.status, 'InvalidParameter', 'BadRequest', null);
    default: {
      const style = errorStyles[error.code];
      if (style !== undefined) {
        return envelope(
          style.status ?? error.status,
          style.code,
          style.type,
          error.code === 'unknown_model' ? (error.field ?? 'model') : (error.field ?? null),
        );
      }
      return error.status >= 500
        ? envelope(error.status, 'InternalServiceError', 'InternalServerError', null)
        : envelope(error.status, 'InvalidParameter', 'BadRequest', error.field ?? null);
    }
  }
}
