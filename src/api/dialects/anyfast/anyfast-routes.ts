import type { Job } from '../../../domain/job.ts';
import type { FastifyInstance } from 'fastify';
import { throwIfIssues } from '../../../catalog/check-capabilities.ts';
import { artifactOf } from '../../../jobs/job-service.ts';
import { withPreferredWait } from '../../live-status.ts';
import type { ApiContext } from '../../api-context.ts';
import { idempotencyOf } from '../../request-extras.ts';
import { renderArkTask } from '../seedance-content/ark-task-object.ts';
import { translateSeedance } from '../seedance-content/seedance-request.ts';
import { parseAnyFastBody } from './anyfast-body.ts';
import { renderAnyFastError, renderCreated, renderTask } from './anyfast-translate.ts';

/**
 * AnyFast's new-api video task relay: `POST /v1/video/generations` (Seedance `content[]` at the
 * top level or inside `metadata`, or new-api's `prompt` / `images` / `size` / `seconds`) and
 * `GET /v1/video/generations/{task_id}`. Routes only translate; jobs do the work.
 */
export async function registerAnyFastRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  const config = { renderError: renderAnyFastError };
  const tags = ['AnyFast'];
  const security = [{ bearerAuth: [] }];

  app.post(
    '/v1/video/generations',
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Create a video generation task',
        body: { type: 'object', required: ['model'], additionalProperties: true },
      },
    },
    async (request, reply) => {
      const key = await context.authenticate(request);
      const parsed = parseAnyFastBody(request.body);
      if (parsed.model === undefined) throwIfIssues(parsed.issues);
      const requestedModel = parsed.model ?? '';
      const model = context.catalog.get(requestedModel, 'model');
      const translation = translateSeedance(
        model.spec,
        { ...parsed.draft, requestedModel },
        { drawSeed: context.drawSeed, now: context.now() },
      );
      throwIfIssues([...parsed.issues, ...translation.issues]);
      const job = await context.jobs.submit({
        ownerKeyId: key.id,
        dialect: 'anyfast',
        request: translation.request,
        input: translation.input,
        callbackUrl: translation.callbackUrl,
        deadlineAt: translation.deadlineAt,
        idempotency: idempotencyOf(request, { model: requestedModel, body: request.body }),
      });
      const settled = await withPreferredWait(request, reply, job, (submitted) =>
        context.jobs.get(submitted.id, key.id),
      );
      // Sync mode answers with the task as a poll would return it.
      return settled.waited ? renderPoll(settled.job) : renderCreated(job, requestedModel);
    },
  );

  app.get(
    '/v1/video/generations/:task_id',
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Query a video generation task',
        params: { type: 'object', properties: { task_id: { type: 'string' } }, required: ['task_id'] },
      },
    },
    async (request) => {
      const key = await context.authenticate(request);
      const { task_id: id } = request.params as { task_id: string };
      const job = await context.jobs.get(id, key.id);
      // The poll is where the video is handed out: once it expired, that is a 410.
      context.outputs.requireAvailable(job);
      return renderPoll(job);
    },
  );

  async function renderPoll(job: Job) {
    const video = job.status === 'succeeded' ? artifactOf(job, 'video') : undefined;
    const lastFrame =
      job.status === 'succeeded' && job.request.returnLastFrame ? artifactOf(job, 'last_frame') : undefined;
    const videoUrl = video === undefined ? undefined : await context.artifactUrl(video, job);
    const arkTask = renderArkTask(job, context.catalog.find(job.model)?.spec, {
      videoUrl,
      lastFrameUrl: lastFrame === undefined ? undefined : await context.artifactUrl(lastFrame, job),
    });
    return renderTask(job, arkTask, videoUrl);
  }
}
