import type { Job } from '../domain/job.ts';
import type { WebhookDelivery } from '../domain/webhook.ts';
import { artifactOf } from '../jobs/job-service.ts';
import type { CallbackBodyRenderer } from '../webhooks/webhook-dispatcher.ts';
import type { ApiContext } from './api-context.ts';
import { renderTask } from './dialects/anyfast/anyfast-translate.ts';
import { runComfyStatus } from './dialects/runcomfy/runcomfy-translate.ts';
import { renderRun, runArtifacts } from './dialects/runflow/runflow-run.ts';
import { renderArkTask, unixSeconds } from './dialects/seedance-content/ark-task-object.ts';

/** What rendering needs: the catalog and URL signing (a worker-only process has no server). */
export type CallbackContext = Pick<ApiContext, 'catalog' | 'artifactUrl'>;

/**
 * Callback bodies, one shape per delivery format (shared/reference/dialects.md): each dialect's
 * clients receive what that platform sends, rendered from the job as it was at the reported
 * status (the dispatcher passes that job). Output URLs are signed afresh when the body is first
 * rendered; the body is then fixed, so retries send the same bytes.
 */
export function createCallbackRenderer(context: CallbackContext): CallbackBodyRenderer {
  return async (delivery, job) => {
    switch (delivery.format) {
      case 'runflow':
        return runflowCallback(job, context);
      case 'modelark':
        return arkTask(job, context);
      case 'anyfast': {
        const video = succeededArtifact(job, 'video');
        return renderTask(
          job,
          await arkTask(job, context),
          video === undefined ? undefined : await context.artifactUrl(video, job),
        );
      }
      case 'runcomfy':
        return runComfyCallback(job, context);
      case 'openai-event':
        return openAiEvent(delivery, job);
      default:
        return neutralCallback(job, context);
    }
  };
}

function succeededArtifact(job: Job, role: 'video' | 'last_frame') {
  return job.status === 'succeeded' ? artifactOf(job, role) : undefined;
}

const runflowEvents: Record<string, string> = {
  succeeded: 'run.completed',
  failed: 'run.failed',
  canceled: 'run.cancelled',
};

/**
 * Runflow: `{event, run_id, status, output, duration_ms, created_at, completed_at, metadata}`;
 * `output` is the run's output on success, the error envelope on failure, null when cancelled.
 */
async function runflowCallback(job: Job, context: CallbackContext) {
  const { video, lastFrame } = runArtifacts(job);
  const run = renderRun(job, {
    spec: context.catalog.find(job.model)?.spec,
    videoUrl:
      video === undefined || job.status !== 'succeeded' ? undefined : await context.artifactUrl(video, job),
    lastFrameUrl:
      lastFrame === undefined || job.status !== 'succeeded'
        ? undefined
        : await context.artifactUrl(lastFrame, job),
  });
  const output =
    run.status_code === 'succeeded'
      ? run.output
      : run.status_code === 'failed'
        ? { code: run.failure_code, message: run.failure_message, errors: null }
        : null;
  return {
    event: runflowEvents[run.status_code] ?? `run.${run.status_code}`,
    run_id: run.id,
    status: run.status_code,
    output,
    duration_ms: run.duration_ms,
    created_at: run.created_at,
    completed_at: run.completed_at,
    metadata: run.metadata,
  };
}

/** ModelArk: the task object, exactly as `GET …/tasks/{id}` returns it. */
async function arkTask(job: Job, context: CallbackContext) {
  const video = succeededArtifact(job, 'video');
  const lastFrame = job.request.returnLastFrame ? succeededArtifact(job, 'last_frame') : undefined;
  return renderArkTask(job, context.catalog.find(job.model)?.spec, {
    videoUrl: video === undefined ? undefined : await context.artifactUrl(video, job),
    lastFrameUrl: lastFrame === undefined ? undefined : await context.artifactUrl(lastFrame, job),
  });
}

/**
 * RunComfy's documented callback (its serverless webhooks): `{request_id, deployment_id, status,
 * created_at, finished_at, output | error}` with `succeeded` for a finished request. Reelgate has
 * no deployments; `deployment_id` names the model that ran.
 */
async function runComfyCallback(job: Job, context: CallbackContext) {
  const status = runComfyStatus(job.status);
  const video = succeededArtifact(job, 'video');
  const base = {
    request_id: job.id,
    deployment_id: job.model,
    status: status === 'completed' ? 'succeeded' : status,
    created_at: new Date(job.createdAt).toISOString(),
    finished_at: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
  };
  if (video !== undefined) return { ...base, output: { video: await context.artifactUrl(video, job) } };
  if (status === 'failed') {
    const error = job.error ?? { code: 'internal_error', message: 'the request failed' };
    return { ...base, error: { type: error.code, message: error.message } };
  }
  return base;
}

/**
 * OpenAI-style webhook events for a key's default endpoint: `video.completed` or `video.failed`
 * with the video id; the client fetches the video itself. The event id follows the delivery id,
 * so a retried event keeps its id too.
 */
function openAiEvent(delivery: WebhookDelivery, job: Job) {
  return {
    id: `evt_${delivery.id.replace(/^msg_/, '')}`,
    object: 'event',
    created_at: unixSeconds(delivery.createdAt),
    type: job.status === 'succeeded' ? 'video.completed' : 'video.failed',
    data: { id: job.id },
  };
}

/** Jobs created through routes that belong to no dialect get Reelgate's own small shape. */
async function neutralCallback(job: Job, context: CallbackContext) {
  const video = succeededArtifact(job, 'video');
  return {
    id: job.id,
    status: job.status,
    model: job.model,
    ...(video === undefined ? {} : { video_url: await context.artifactUrl(video, job) }),
    error: job.error,
    created_at: new Date(job.createdAt).toISOString(),
    finished_at: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
  };
}
