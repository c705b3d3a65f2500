import type { FastifyInstance, FastifyRequest } from 'fastify';
import { throwIfIssues } from '../../../catalog/check-capabilities.ts';
import type { Job } from '../../../domain/job.ts';
import { artifactOf } from '../../../jobs/job-service.ts';
import { withPreferredWait } from '../../live-status.ts';
import type { ApiContext } from '../../api-context.ts';
import { idempotencyOf } from '../../request-extras.ts';
import { renderArkTask } from '../seedance-content/ark-task-object.ts';
import { translateSeedance } from '../seedance-content/seedance-request.ts';
import {
  deleteAction,
  deleteRefused,
  parseListQuery,
  parseModelArkBody,
  renderModelArkError,
} from './modelark-translate.ts';

/**
 * The BytePlus ModelArk / Volcengine Ark task API under `/api/v3/contents/generations/tasks`:
 * create, get, list and delete (cancel-or-delete). Routes only translate; jobs do the work.
 */
export async function registerModelArkRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  const config = { renderError: renderModelArkError };
  const tags = ['ModelArk'];
  const security = [{ bearerAuth: [] }];
  const base = '/api/v3/contents/generations/tasks';
  const idParams = {
    type: 'object',
    properties: { id: { type: 'string' } },
    required: ['id'],
  } as const;

  app.post(
    base,
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Create a video generation task (Seedance content[] body)',
        body: { type: 'object', required: ['model', 'content'], additionalProperties: true },
      },
    },
    async (request, reply) => {
      const key = await context.authenticate(request);
      const parsed = parseModelArkBody(request.body);
      if (parsed.model === undefined) throwIfIssues(parsed.issues);
      const model = context.catalog.get(parsed.model ?? '', 'model');
      const translation = translateSeedance(
        model.spec,
        { ...parsed.draft, requestedModel: parsed.model ?? model.spec.id },
        { drawSeed: context.drawSeed, now: context.now() },
      );
      throwIfIssues([...parsed.issues, ...translation.issues]);
      const job = await context.jobs.submit({
        ownerKeyId: key.id,
        dialect: 'modelark',
        request: translation.request,
        input: translation.input,
        callbackUrl: translation.callbackUrl,
        // ModelArk calls back on every status change of the task, not only the last one.
        callbackEvents: 'changes',
        deadlineAt: translation.deadlineAt,
        idempotency: idempotencyOf(request, { model: parsed.model, body: request.body }),
      });
      const settled = await withPreferredWait(request, reply, job, (submitted) =>
        context.jobs.get(submitted.id, key.id),
      );
      // Sync mode answers with the whole task object (which still carries `id`).
      return settled.waited ? render(settled.job) : { id: job.id };
    },
  );

  app.get(
    `${base}/:id`,
    { config, schema: { tags, security, summary: 'Get a task', params: idParams } },
    async (request) => {
      const job = await ownJob(request);
      // The task is where its video is handed out: once the video expired, that is a 410.
      context.outputs.requireAvailable(job);
      return render(job);
    },
  );

  app.get(
    base,
    {
      config,
      schema: {
        tags,
        security,
        summary: 'List tasks (newest first)',
        querystring: {
          type: 'object',
          properties: {
            page_num: { type: 'integer', minimum: 1, default: 1 },
            page_size: { type: 'integer', minimum: 1, maximum: 500, default: 10 },
            'filter.status': {
              type: 'string',
              enum: ['queued', 'running', 'cancelled', 'succeeded', 'failed', 'expired'],
            },
            'filter.task_ids': { type: 'array', items: { type: 'string' } },
            'filter.model': { type: 'string' },
          },
        },
      },
    },
    async (request) => {
      const key = await context.authenticate(request);
      const query = parseListQuery(
        request.query as Record<string, unknown>,
        (id) => context.catalog.find(id)?.spec.id,
      );
      const filters = {
        ...(query.statuses === undefined ? {} : { statuses: query.statuses }),
        ...(query.ids === undefined ? {} : { ids: query.ids }),
        ...(query.models === undefined ? {} : { models: query.models }),
      };
      const [jobs, total] = await Promise.all([
        context.jobs.list(key.id, {
          ...filters,
          order: 'desc',
          offset: (query.pageNum - 1) * query.pageSize,
          limit: query.pageSize,
        }),
        context.jobs.count(key.id, filters),
      ]);
      return { total, items: await Promise.all(jobs.map(render)) };
    },
  );

  app.delete(
    `${base}/:id`,
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Cancel a queued task, or delete a finished one',
        params: idParams,
      },
    },
    async (request, reply) => {
      const key = await context.authenticate(request);
      const { id } = request.params as { id: string };
      const job = await context.jobs.get(id, key.id);
      switch (deleteAction(job)) {
        case 'cancel': {
          const outcome = await context.jobs.cancel(job.id, key.id);
          // A worker may have claimed it meanwhile: then it is running, and refused like one.
          if (!outcome.cancelled) throw deleteRefused(outcome.job);
          break;
        }
        case 'delete':
          await context.jobs.delete(job.id, key.id);
          break;
        case 'refuse':
          throw deleteRefused(job);
      }
      return reply.status(200).send();
    },
  );

  async function ownJob(request: FastifyRequest): Promise<Job> {
    const key = await context.authenticate(request);
    const { id } = request.params as { id: string };
    return context.jobs.get(id, key.id);
  }

  async function render(job: Job) {
    const video = job.status === 'succeeded' ? artifactOf(job, 'video') : undefined;
    const lastFrame =
      job.status === 'succeeded' && job.request.returnLastFrame ? artifactOf(job, 'last_frame') : undefined;
    return renderArkTask(job, context.catalog.find(job.model)?.spec, {
      videoUrl: video === undefined ? undefined : await context.artifactUrl(video, job),
      lastFrameUrl: lastFrame === undefined ? undefined : await context.artifactUrl(lastFrame, job),
    });
  }
}
