import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Job } from '../domain/job.ts';
import type { DeliveryView } from '../webhooks/callback-service.ts';
import { jobCost } from '../usage/job-cost.ts';
import type { JobCost } from '../usage/job-cost.ts';
import type { ApiContext } from './api-context.ts';
import { renderDeliveryRecord } from './dialects/runflow/runflow-callback-routes.ts';
import { streamJobEvents } from './live-status.ts';
import { rolesGivenIn } from './neutral-job-request.ts';

/**
 * Reelgate's own, dialect-neutral view of any job (whichever dialect created it): the job, its
 * live event stream and its callback history. The SDK and the web UI use these.
 */
export async function registerJobRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  const tags = ['Jobs'];
  const security = [{ bearerAuth: [] }];
  const params = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

  async function ownJob(request: FastifyRequest): Promise<Job> {
    const key = await context.authenticate(request);
    const { id } = request.params as { id: string };
    return context.jobs.get(id, key.id);
  }

  app.get(
    '/v1/jobs/:id',
    { schema: { tags, security, summary: 'Get a job', description: jobViewDescription, params } },
    async (request) => {
      const job = await ownJob(request);
      return renderJob(job, await context.jobs.queuePosition(job), context);
    },
  );

  app.get(
    '/v1/jobs/:id/events',
    {
      schema: { tags, security, summary: 'Server-Sent Events: status, queue position and progress', params },
    },
    async (request, reply) => {
      await streamJobEvents(request, reply, {
        job: await ownJob(request),
        reload: (job) => context.jobs.get(job.id, job.ownerKeyId),
        queuePosition: (job) => context.jobs.queuePosition(job),
        render: (job, position) => renderJob(job, position, context),
      });
    },
  );

  app.get(
    '/v1/jobs/:id/callbacks',
    { schema: { tags, security, summary: 'Every callback delivery of a job, with its attempts', params } },
    async (request) => (await context.callbacks.history(await ownJob(request))).map(neutralRecord),
  );

  app.post(
    '/v1/jobs/:id/callbacks/redeliveries',
    { schema: { tags, security, summary: 'Send the job’s callback again, from its current state', params } },
    async (request, reply) =>
      reply.code(201).send(neutralRecord(await context.callbacks.redeliver(await ownJob(request)))),
  );
}

/** What /docs says of the job object (no response schema: it would strip the loose metadata). */
const jobViewDescription = [
  "The job in Reelgate's own terms, whichever dialect created it: status, queue_position, progress,",
  'stage, outputs (signed URLs), metadata, error, cost and times. It also echoes what created it:',
  "`input` as accepted, in that dialect's field names (for POST /v1/jobs, with the seed used);",
  '`roles`, the media roles given beside the input to POST /v1/jobs, by input path',
  '(e.g. {"images[1]": "last_frame"}; {} when none were, and for dialects that put roles inside',
  'their input); `return_last_frame`. POSTing model, input, roles and return_last_frame to',
  '/v1/jobs submits the same request again.',
].join(' ');

/** The delivery record with `job_id` instead of Runflow's `run_id`. */
function neutralRecord(view: DeliveryView) {
  const { run_id: jobId, ...rest } = renderDeliveryRecord(view);
  return { job_id: jobId, ...rest };
}

/** A job in Reelgate's own terms: status, progress, outputs at signed URLs, error. */
export async function renderJob(job: Job, queuePosition: number | undefined, context: ApiContext) {
  const outputs = [];
  for (const artifact of job.status === 'succeeded' ? (job.result?.artifacts ?? []) : []) {
    outputs.push({
      role: artifact.role,
      url: await context.artifactUrl(artifact, job),
      content_type: artifact.contentType,
      bytes: artifact.bytes,
      width: artifact.width,
      height: artifact.height,
      ...(artifact.kind === 'video'
        ? { duration_seconds: artifact.durationSeconds, fps: artifact.fps, has_audio: artifact.hasAudio }
        : {}),
    });
  }
  return {
    id: job.id,
    object: 'job',
    model: job.model,
    dialect: job.dialect,
    status: job.status,
    ...(queuePosition === undefined ? {} : { queue_position: queuePosition }),
    progress: job.progress,
    stage: job.stage,
    attempt: job.attempt,
    outputs,
    // When the outputs are deleted (retention); after that they are listed without a URL.
    outputs_expire_at: outputsExpireAt(job, context),
    metadata: job.result?.metadata ?? null,
    error: job.error,
    cost: renderCost(jobCost(job, context.catalog.find(job.model)?.spec)),
    // The input as accepted, in the vocabulary of the dialect that created the job.
    input: job.input,
    // With model and input, the rest of a POST /v1/jobs body: posting them again re-creates the
    // request (the web UI's re-run). Rows stored before return_last_frame existed lack the flag.
    roles: rolesGivenIn(job.request),
    return_last_frame: job.request.returnLastFrame === true,
    created_at: new Date(job.createdAt).toISOString(),
    started_at: job.startedAt === null ? null : new Date(job.startedAt).toISOString(),
    finished_at: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
  };
}

/** The price quoted at submit and what the job is billed: nothing unless it succeeded. */
function renderCost(cost: JobCost) {
  return {
    currency: 'USD',
    unit_price_usd: cost.unitPriceUsd,
    billable_seconds: cost.billableSeconds,
    amount_usd: cost.amountUsd,
  };
}

function outputsExpireAt(job: Job, context: ApiContext): string | null {
  const expiresAt = job.status === 'succeeded' ? context.outputs.expiresAt(job) : undefined;
  return expiresAt === undefined ? null : new Date(expiresAt).toISOString();
}
