import type { AppError } from '../../../domain/app-error.ts';
import type { Job, JobStatus } from '../../../domain/job.ts';
import type { ArkTask } from '../seedance-content/ark-task-object.ts';
import { unixSeconds } from '../seedance-content/ark-task-object.ts';

/**
 * Pure translations for AnyFast's new-api task relay (reference §3): the create reply, the
 * `TaskResponse` poll envelope around the ModelArk task object, and new-api's error envelopes.
 */

export type AnyFastStatus = 'NOT_START' | 'QUEUED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE';

/**
 * new-api's task states. A job is durably queued the moment it is accepted, so `NOT_START`
 * ("not yet handed to the provider") never applies; cancelled and expired jobs are failures.
 */
export function anyFastStatus(status: JobStatus): AnyFastStatus {
  switch (status) {
    case 'queued':
      return 'QUEUED';
    case 'running':
      return 'IN_PROGRESS';
    case 'succeeded':
      return 'SUCCESS';
    case 'failed':
    case 'cancelled':
    case 'expired':
      return 'FAILURE';
  }
}

/**
 * The progress string: "10%" while queued (new-api's Doubao mapping), 50–99% while running in step
 * with the real progress, "100%" once finished either way. Never decreases while the job runs.
 */
export function anyFastProgress(job: Job): string {
  switch (job.status) {
    case 'queued':
      return '10%';
    case 'running':
      return `${50 + Math.floor(Math.min(Math.max(job.progress, 0), 1) * 49)}%`;
    default:
      return '100%';
  }
}

/** The create reply: new-api's `OpenAIVideo` with the job id as both `id` and `task_id`. */
export function renderCreated(job: Job, requestedModel: string) {
  return {
    id: job.id,
    task_id: job.id,
    object: 'video',
    model: requestedModel,
    status: 'queued',
    progress: 0,
    created_at: unixSeconds(job.createdAt),
  };
}

/**
 * The poll reply `{code: "success", message: "", data: TaskDto}`. On success `fail_reason` repeats
 * `result_url` (legacy clients read the URL from it); on failure it carries the error message, and
 * "cancelled" for a cancelled job; `result_url` is present only on success.
 */
export function renderTask(job: Job, arkTask: ArkTask, videoUrl: string | undefined) {
  const status = anyFastStatus(job.status);
  const succeeded = status === 'SUCCESS' && videoUrl !== undefined;
  return {
    code: 'success',
    message: '',
    data: {
      task_id: job.id,
      action: 'generate',
      status,
      ...(succeeded ? { result_url: videoUrl } : {}),
      fail_reason: succeeded ? videoUrl : failReason(job),
      submit_time: unixSeconds(job.createdAt),
      start_time: job.startedAt === null ? 0 : unixSeconds(job.startedAt),
      finish_time: job.finishedAt === null ? 0 : unixSeconds(job.finishedAt),
      progress: anyFastProgress(job),
      request_id: job.id,
      data: arkTask,
    },
  };
}

function failReason(job: Job): string {
  switch (job.status) {
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return job.error?.message ?? 'the task failed';
    case 'expired':
      return job.error?.message ?? 'the task did not finish before its deadline';
    default:
      return '';
  }
}

/** new-api task-relay codes for the AppErrors a client can cause. */
const taskCodes: Partial<Record<AppError['code'], string>> = {
  validation_failed: 'invalid_request',
  invalid_json: 'invalid_request',
  unknown_model: 'model_not_found',
  idempotency_conflict: 'idempotency_conflict',
  payload_too_large: 'request_body_too_large',
  // new-api's own word for an account without quota left.
  spend_limit_reached: 'insufficient_user_quota',
};

/**
 * new-api's two envelopes: authentication failures come from its middleware, OpenAI-style
 * `{error: {message, type: "new_api_error", code}}`; everything else from the task relay,
 * `{code, message, data: null}`. An unknown task (or another key's) is HTTP 400 `task_not_exist`,
 * exactly as new-api answers; bad input is 400 `invalid_request` with every issue in the message.
 */
export function renderAnyFastError(error: AppError): { status: number; body: Record<string, unknown> } {
  if (error.code === 'unauthorized' || error.code === 'forbidden') {
    return {
      status: error.status,
      body: {
        error: {
          message: error.message,
          type: 'new_api_error',
          code: error.code === 'unauthorized' ? 'invalid_api_key' : 'access_denied',
        },
      },
    };
  }
  if (error.code === 'not_found') {
    return { status: 400, body: { code: 'task_not_exist', message: 'task_not_exist', data: null } };
  }
  const code = taskCodes[error.code] ?? (error.status >= 500 ? 'internal_error' : error.code);
  const status = error.code === 'validation_failed' || error.code === 'unknown_model' ? 400 : error.status;
  return { status, body: { code, message: error.message, data: null } };
}
