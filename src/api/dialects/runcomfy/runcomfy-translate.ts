import type { AppError } from '../../../domain/app-error.ts';
import type { Job, JobStatus } from '../../../domain/job.ts';
import type { ModelSpec } from '../../../catalog/model-spec.ts';
import { jobCost as quotedCost } from '../../../usage/job-cost.ts';

/**
 * Pure translations between Reelgate's job model and the RunComfy Model API
 * (shared/reference/dialects.md §1). No I/O here, so every shape is unit-tested without HTTP.
 */

export type RunComfyStatus = 'in_queue' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

/** RunComfy has no "expired": clients treat `failed` as the terminal failure word. */
export function runComfyStatus(status: JobStatus): RunComfyStatus {
  switch (status) {
    case 'queued':
      return 'in_queue';
    case 'running':
      return 'in_progress';
    case 'succeeded':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
    case 'expired':
      return 'failed';
  }
}

export function requestUrls(baseUrl: string, id: string) {
  const base = `${baseUrl}/v1/requests/${id}`;
  return { status_url: `${base}/status`, result_url: `${base}/result`, cancel_url: `${base}/cancel` };
}

export function renderSubmitted(job: Job, baseUrl: string) {
  return { request_id: job.id, ...requestUrls(baseUrl, job.id) };
}

export function renderStatus(job: Job, queuePosition: number | undefined, baseUrl: string) {
  const status = runComfyStatus(job.status);
  const { status_url, result_url } = requestUrls(baseUrl, job.id);
  return {
    request_id: job.id,
    status,
    ...(status === 'in_queue' && queuePosition !== undefined ? { queue_position: queuePosition } : {}),
    ...(status === 'in_progress'
      ? { progress: Math.round(job.progress * 100), ...(job.stage === null ? {} : { stage: job.stage }) }
      : {}),
    status_url,
    result_url,
  };
}

/**
 * The result: for a request that is not finished, 200 with its status and no `output` (partner
 * nodes poll /result and expect exactly that); on success the output schema's `video` URL.
 */
export function renderResult(
  job: Job,
  options: { videoUrl: string | undefined; includeCost: boolean; spec: ModelSpec | undefined },
) {
  const status = runComfyStatus(job.status);
  const finished = job.finishedAt === null ? {} : { finished_at: iso(job.finishedAt) };
  const base = {
    request_id: job.id,
    status,
    model_id: job.model,
    created_at: iso(job.createdAt),
    ...finished,
  };
  const cost = options.includeCost ? { cost: jobCost(job, options.spec) } : {};
  if (status === 'completed' && options.videoUrl !== undefined) {
    // `metadata` is Reelgate's addition (engine, resolved ratio, seed, timings); clients ignore extras.
    return { ...base, output: { video: options.videoUrl }, metadata: job.result?.metadata ?? {}, ...cost };
  }
  if (status === 'failed') {
    const error = job.error ?? { code: 'internal_error', message: 'the request failed' };
    return { ...base, error: { type: error.code, message: error.message }, ...cost };
  }
  return { ...base, ...cost };
}

/** Billable cost in USD: seconds × the price quoted at submit; 0 unless it succeeded (see job-cost.ts). */
export function jobCost(job: Job, spec: ModelSpec | undefined): number {
  return quotedCost(job, spec).amountUsd;
}

/**
 * The cancel answer. RunComfy's clients read `outcome` from a 2xx answer: `cancelled` when the
 * request was queued, `not_cancellable` otherwise — with `message` saying why (only queued
 * requests can be cancelled). See docs/decisions/0004-runcomfy-cancel-status.md.
 */
export function renderCancelOutcome(job: Job, cancelled: boolean) {
  const status = runComfyStatus(job.status);
  if (cancelled) return { request_id: job.id, status, outcome: 'cancelled' as const };
  const message =
    job.status === 'running'
      ? `request ${job.id} is in progress; only queued requests can be cancelled`
      : `request ${job.id} has already finished (${status}); only queued requests can be cancelled`;
  return { request_id: job.id, status, outcome: 'not_cancellable' as const, message };
}

const errorNames: Record<number, string> = {
  400: 'InvalidRequest',
  401: 'Unauthorized',
  403: 'PermissionDeniedError',
  404: 'ResourceNotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  416: 'RangeNotSatisfiable',
  422: 'ValidationError',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/**
 * RunComfy's error envelope: `{error_code, error_message, detail}` with six-digit codes
 * (HTTP status × 1000 + n). A bad model id is their `400001 InvalidResourceIdentifier`.
 */
export function renderRunComfyError(error: AppError): { status: number; body: Record<string, unknown> } {
  if (error.code === 'unknown_model') {
    return {
      status: 400,
      body: {
        error_code: 400001,
        error_message: `InvalidResourceIdentifier: ${error.message}`,
        detail: null,
      },
    };
  }
  if (error.code === 'spend_limit_reached') {
    // RunComfy's "no balance" answer; its clients also read HTTP 402 that way.
    return {
      status: 400,
      body: { error_code: 400002, error_message: `InsufficientResources: ${error.message}`, detail: null },
    };
  }
  const status = error.status;
  const suffix = error.code === 'invalid_json' ? 3 : 1;
  const detail =
    error.issues.length === 0
      ? null
      : error.issues.map((issue) => ({
          loc: ['body', ...splitPath(issue.field)],
          msg: issue.message,
          type: issue.rule,
        }));
  return {
    status,
    body: {
      error_code: status * 1000 + suffix,
      error_message: `${errorNames[status] ?? 'Error'}: ${error.message}`,
      detail,
    },
  };
}

/** `images[3]` → `['images', 3]`, FastAPI-style locations. */
function splitPath(field: string): (string | number)[] {
  return field
    .split(/\.|\[|\]/)
    .filter((segment) => segment !== '')
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
