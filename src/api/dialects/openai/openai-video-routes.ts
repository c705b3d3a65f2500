import { streamJobEvents, withPreferredWait } from '../../live-status.ts';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/app-error.ts';
import type { Job } from '../../../domain/job.ts';
import { isTerminal } from '../../../domain/job.ts';
import type { SubmitCommand } from '../../../jobs/job-service.ts';
import type { ApiContext } from '../../api-context.ts';
import { idempotencyOf } from '../../request-extras.ts';
import type { OwnVideo } from './openai-content-route.ts';
import { registerVideoContentRoute } from './openai-content-route.ts';
import { translateCreateRequest } from './openai-create-request.ts';
import { renderOpenAiError } from './openai-error.ts';
import { parseListQuery } from './openai-list-query.ts';
import { multipartLimits, readMultipartBody } from './openai-multipart.ts';
import { parseRemixBody, translateRemixRequest } from './openai-remix-request.ts';
import {
  openAiDialect,
  openAiStatus,
  renderDeleted,
  renderVideo,
  renderVideoList,
} from './openai-video-object.ts';
import { videoSchemas } from './openai-video-schemas.ts';

/**
 * OpenAI's Videos API (reference §5): create (JSON or multipart), retrieve, list, delete, content
 * and remix under `/v1/videos`. Routes only translate; jobs do the work.
 *
 * Everything lives in one encapsulated scope so that the multipart parser and the retry hint below
 * apply to these routes only.
 */
export async function registerOpenAiVideoRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: multipartLimits });
    // OpenAI's SDKs retry every 409 as a lock timeout; ours (not ready, not deletable, key
    // conflicts) will not change by retrying at once, so say so.
    scope.addHook('onSend', async (_request, reply, payload) => {
      const status = reply.statusCode;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        reply.header('x-should-retry', 'false');
      }
      return payload;
    });
    registerRoutes(scope, context);
  });
}

function registerRoutes(app: FastifyInstance, context: ApiContext): void {
  const config = { renderError: renderOpenAiError };
  // `expires_at` is when the video's content is deleted (the retention period), not a URL's expiry.
  const keptSeconds = Math.floor(context.outputs.outputTtlMs / 1000);
  const render = (job: Job) => renderVideo(job, keptSeconds);

  async function submit(ownerKeyId: string, command: Omit<SubmitCommand, 'ownerKeyId' | 'dialect'>) {
    try {
      return await context.jobs.submit({ ...command, ownerKeyId, dialect: openAiDialect });
    } catch (error) {
      throw inOpenAiTerms(error);
    }
  }

  const reload = (job: Job) => context.jobs.get(job.id, job.ownerKeyId);

  app.get(
    '/v1/videos/:video_id/events',
    {
      config,
      schema: { ...videoSchemas.retrieve, summary: 'Server-Sent Events: the video object as it changes' },
    },
    async (request, reply) => {
      await streamJobEvents(request, reply, {
        job: (await ownVideo(request)).job,
        reload,
        queuePosition: (job) => context.jobs.queuePosition(job),
        render: async (job) => render(job),
      });
    },
  );

  const ownVideo: OwnVideo = async (request) => {
    const key = await context.authenticate(request);
    return { job: await findVideo(context, videoIdOf(request), key.id), ownerKeyId: key.id };
  };

  app.post('/v1/videos', { config, schema: videoSchemas.create }, async (request, reply) => {
    const key = await context.authenticate(request);
    const form = request.isMultipart() ? await readMultipartBody(request) : undefined;
    const body = form === undefined ? request.body : form.body;
    let translated;
    try {
      translated = translateCreateRequest(body, {
        catalog: context.catalog,
        drawSeed: context.drawSeed,
        upload: form?.upload,
      });
    } catch (error) {
      // Problems with the form itself come first: they explain the field errors that follow.
      if (form !== undefined && form.issues.length > 0 && error instanceof AppError) {
        throw AppError.validation([...form.issues, ...error.issues]);
      }
      throw error;
    }
    if (form !== undefined && form.issues.length > 0) throw AppError.validation(form.issues);
    const job = await submit(key.id, {
      request: translated.request,
      input: translated.input,
      idempotency: idempotencyOf(request, {
        route: 'create',
        model: translated.spec.id,
        body: translated.input,
      }),
    });
    return render((await withPreferredWait(request, reply, job, reload)).job);
  });

  app.get('/v1/videos', { config, schema: videoSchemas.list }, async (request) => {
    const key = await context.authenticate(request);
    const query = parseListQuery(request.query);
    // One row more than the page tells whether another page exists, without a count.
    const jobs = await context.jobs.list(key.id, {
      order: query.order,
      limit: query.limit + 1,
      ...(query.after === undefined ? {} : { after: query.after }),
    });
    return renderVideoList(jobs.slice(0, query.limit), jobs.length > query.limit, keptSeconds);
  });

  app.get('/v1/videos/:video_id', { config, schema: videoSchemas.retrieve }, async (request) =>
    render((await ownVideo(request)).job),
  );

  app.delete('/v1/videos/:video_id', { config, schema: videoSchemas.delete }, async (request) => {
    const key = await context.authenticate(request);
    const id = videoIdOf(request);
    const job = await findVideo(context, id, key.id);
    if (!isTerminal(job.status)) {
      throw new AppError(
        'not_deletable',
        `video ${id} is ${openAiStatus(job.status)}; only completed or failed videos can be deleted`,
        { field: 'video_id' },
      );
    }
    try {
      return renderDeleted(await context.jobs.delete(id, key.id));
    } catch (error) {
      throw inOpenAiTerms(error, id);
    }
  });

  app.post('/v1/videos/:video_id/remix', { config, schema: videoSchemas.remix }, async (request) => {
    const { job: source, ownerKeyId } = await ownVideo(request);
    const form = request.isMultipart() ? await readMultipartBody(request) : undefined;
    if (form?.upload !== undefined) {
      throw AppError.validation([
        ...form.issues,
        {
          field: 'input_reference',
          rule: 'unknown_field',
          message: 'unknown parameter: a remix takes no file',
        },
      ]);
    }
    if (form !== undefined && form.issues.length > 0) throw AppError.validation(form.issues);
    const body = parseRemixBody(form === undefined ? request.body : form.body);
    const remix = translateRemixRequest(source, body);
    const job = await submit(ownerKeyId, {
      request: remix.request,
      input: remix.input,
      idempotency: idempotencyOf(request, { route: 'remix', video: source.id, body }),
    });
    return render(job);
  });

  registerVideoContentRoute(app, context, { config, ownVideo });
}

/** The job behind a video id of this key; unknown and other keys' ids are the same 404. */
async function findVideo(context: ApiContext, id: string, ownerKeyId: string): Promise<Job> {
  try {
    return await context.jobs.get(id, ownerKeyId);
  } catch (error) {
    throw inOpenAiTerms(error, id);
  }
}

function videoIdOf(request: FastifyRequest): string {
  return (request.params as { video_id: string }).video_id;
}

/** Job-service errors reworded in this API's vocabulary (videos, not requests). */
function inOpenAiTerms(error: unknown, id?: string): unknown {
  if (!(error instanceof AppError)) return error;
  switch (error.code) {
    case 'not_found':
      return new AppError('not_found', `no video found with id ${JSON.stringify(id ?? '')}`);
    case 'not_deletable':
      return new AppError(
        'not_deletable',
        `video ${id ?? ''} is not finished; only completed or failed videos can be deleted`,
        { field: 'video_id' },
      );
    default:
      return error;
  }
}
