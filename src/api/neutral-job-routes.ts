import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/app-error.ts';
import type { Job } from '../domain/job.ts';
import { isTerminal, jobStatuses } from '../domain/job.ts';
import type { ApiContext } from './api-context.ts';
import { renderJob } from './job-routes.ts';
import { withPreferredWait } from './live-status.ts';
import { maxJobPageSize, parseNeutralCreate, parseNeutralListQuery } from './neutral-job-request.ts';
import { idempotencyOf } from './request-extras.ts';

/**
 * Reelgate's own create, list, cancel and delete for jobs (`/v1/jobs`), beside the read routes in
 * job-routes.ts. The SDK, the CLI and the web UI use them; any model, any input the model's
 * schema allows. Errors use the neutral envelope.
 *
 * The routes live in one scope so that this hint applies to them only: their 4xx answers (a
 * finished job cannot be cancelled, a reused idempotency key) will not change by retrying, so
 * SDKs that retry 409 by default are told not to.
 */
export async function registerNeutralJobRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      const status = reply.statusCode;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        void reply.header('x-should-retry', 'false');
      }
      return payload;
    });
    registerRoutes(scope, context);
  });
}

const tags = ['Jobs'];
const security = [{ bearerAuth: [] }];
const params = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

function registerRoutes(app: FastifyInstance, context: ApiContext): void {
  const render = async (job: Job) => renderJob(job, await context.jobs.queuePosition(job), context);

  app.post(
    '/v1/jobs',
    {
      schema: {
        tags,
        security,
        summary: 'Create a job for any model',
        body: createBodyDocumentation(context),
      },
    },
    async (request, reply) => {
      const key = await context.authenticate(request);
      const create = parseNeutralCreate(request.body, context.catalog, context.drawSeed);
      const job = await context.jobs.submit({
        ownerKeyId: key.id,
        dialect: 'reelgate',
        request: create.request,
        input: create.input,
        callbackUrl: create.callbackUrl,
        idempotency: idempotencyOf(request, { route: 'jobs', body: request.body }),
      });
      void reply.code(201);
      const settled = await withPreferredWait(request, reply, job, (submitted) =>
        context.jobs.get(submitted.id, key.id),
      );
      return render(settled.job);
    },
  );

  app.get(
    '/v1/jobs',
    {
      schema: {
        tags,
        security,
        summary: "List the key's jobs, newest first",
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', description: `Comma-separated: ${jobStatuses.join(', ')}` },
            model: { type: 'string', description: 'A model id or alias' },
            limit: { type: 'integer', minimum: 1, maximum: maxJobPageSize, default: 20 },
            after: { type: 'string', description: 'next_cursor of the previous page' },
          },
        },
      },
    },
    async (request) => {
      const key = await context.authenticate(request);
      const query = parseNeutralListQuery(request.query);
      const model =
        query.model === undefined ? undefined : (context.catalog.find(query.model)?.spec.id ?? query.model);
      // One extra row tells whether another page follows.
      const jobs = await context.jobs.list(key.id, {
        limit: query.limit + 1,
        order: 'desc',
        ...(query.after === undefined ? {} : { after: query.after }),
        ...(query.statuses === undefined ? {} : { statuses: query.statuses }),
        ...(model === undefined ? {} : { models: [model] }),
      });
      const page = jobs.slice(0, query.limit);
      const hasMore = jobs.length > query.limit;
      return {
        object: 'list',
        data: await Promise.all(page.map(render)),
        has_more: hasMore,
        next_cursor: hasMore ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.post(
    '/v1/jobs/:id/cancel',
    { schema: { tags, security, summary: 'Cancel a queued or running job', params } },
    async (request) => render(await cancel(request, context)),
  );

  app.delete(
    '/v1/jobs/:id',
    { schema: { tags, security, summary: 'Delete a finished job and its files', params } },
    async (request, reply: FastifyReply) => {
      const key = await context.authenticate(request);
      const deleted = await context.jobs.delete(idOf(request), key.id);
      void reply.code(200);
      return { id: deleted.id, object: 'job.deleted', deleted: true };
    },
  );
}

/**
 * A queued job is cancelled at once; a running one through its engine's AbortSignal (the worker
 * sees the cancel at its next heartbeat). Cancelling a cancelled job again returns it unchanged;
 * any other finished job is a 409.
 */
async function cancel(request: FastifyRequest, context: ApiContext): Promise<Job> {
  const key = await context.authenticate(request);
  const id = idOf(request);
  const before = await context.jobs.get(id, key.id);
  if (before.status === 'cancelled') return before;
  if (!isTerminal(before.status)) {
    const { job } = await context.jobs.cancel(id, key.id, { allowRunning: true });
    if (job.status === 'cancelled') return job;
    // It finished between the read and the cancel.
    return notCancellable(job);
  }
  return notCancellable(before);
}

function notCancellable(job: Job): never {
  throw new AppError(
    'not_cancellable',
    `job ${job.id} is already ${job.status}; only queued or running jobs can be cancelled`,
    { field: 'id' },
  );
}

function idOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

/** The create body as JSON Schema, for /docs (validation itself is parseNeutralCreate). */
function createBodyDocumentation(context: ApiContext) {
  return {
    type: 'object',
    required: ['model', 'input'],
    additionalProperties: false,
    properties: {
      model: {
        type: 'string',
        enum: context.catalog.list().map((model) => model.spec.id),
        description: 'A model id (any alias works too; see GET /v1/models)',
      },
      input: {
        type: 'object',
        description: "The model's input, exactly as its input_schema in GET /v1/models describes it",
      },
      callback_url: { type: ['string', 'null'], description: 'POSTed (signed) when the job finishes' },
      roles: {
        type: 'object',
        additionalProperties: {
          type: 'string',
          enum: ['first_frame', 'last_frame', 'reference_image', 'reference_video', 'reference_audio'],
        },
        description:
          'Roles of media inputs by input path, e.g. {"images[0]": "first_frame", "images[1]": "last_frame"}',
      },
      return_last_frame: {
        type: 'boolean',
        default: false,
        description: "Also publish the video's last frame",
      },
    },
  };
}
