import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/app-error.ts';
import type { Job } from '../../../domain/job.ts';
import { artifactOf } from '../../../jobs/job-service.ts';
import type { ApiContext } from '../../api-context.ts';
import type { ErrorRenderer } from '../../dialect-renderer.ts';
import { parseRangeHeader } from '../../file-routes.ts';
import { parseContentVariant } from './openai-list-query.ts';
import { openAiStatus } from './openai-video-object.ts';
import { videoSchemas } from './openai-video-schemas.ts';

/** Authenticates the request and returns the video (job) its `video_id` names, or a 404. */
export type OwnVideo = (request: FastifyRequest) => Promise<{ job: Job; ownerKeyId: string }>;

const extensions: Readonly<Record<string, string>> = {
  'video/mp4': 'mp4',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};

/**
 * `GET /v1/videos/{id}/content?variant=video|thumbnail|spritesheet`: the bytes themselves (the SDK
 * sends `Accept: application/binary` and reads the raw body), streamed from the BlobStore with a
 * single byte range honoured, as players and resumable downloads need. HEAD answers the same
 * headers without opening the file.
 */
export function registerVideoContentRoute(
  app: FastifyInstance,
  context: ApiContext,
  options: { readonly config: { readonly renderError: ErrorRenderer }; readonly ownVideo: OwnVideo },
): void {
  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { job } = await options.ownVideo(request);
    const variant = parseContentVariant(request.query);
    if (job.status !== 'succeeded') throw notReady(job);
    const artifact = artifactOf(job, variant);
    if (artifact === undefined) {
      throw new AppError('not_found', `video ${job.id} has no ${variant}`, { field: 'variant' });
    }
    context.outputs.requireAvailable(job, artifact);
    const info = await context.blobStore.stat(artifact.blobKey);
    if (info === undefined)
      throw new AppError('not_found', `the ${variant} of video ${job.id} is no longer stored`);

    const headers: Record<string, string> = {
      'accept-ranges': 'bytes',
      'content-type': artifact.contentType,
      'content-disposition': `inline; filename="${job.id}.${extensions[artifact.contentType] ?? 'bin'}"`,
      'x-content-type-options': 'nosniff',
    };
    if (request.method === 'HEAD') {
      return reply
        .code(200)
        .headers({ ...headers, 'content-length': String(info.size) })
        .send();
    }

    const wanted = parseRangeHeader(request.headers.range, info.size);
    if (wanted.kind === 'unsatisfiable') {
      // Set before throwing: the error handler renders the body but keeps headers already set.
      reply.header('content-range', `bytes */${info.size}`);
      throw new AppError(
        'range_not_satisfiable',
        `the requested range is outside the ${variant}, which has ${info.size} bytes`,
      );
    }
    const read = await context.blobStore.get(
      artifact.blobKey,
      wanted.kind === 'partial' ? wanted.range : undefined,
    );
    if (read === undefined)
      throw new AppError('not_found', `the ${variant} of video ${job.id} is no longer stored`);
    const { start, end } = read.range;
    reply.headers({ ...headers, 'content-length': String(Math.max(0, end - start + 1)) });
    if (wanted.kind === 'partial')
      reply.code(206).header('content-range', `bytes ${start}-${end}/${read.info.size}`);
    else reply.code(200);
    return reply.send(read.stream);
  };

  const route = { url: '/v1/videos/:video_id/content', config: options.config, schema: videoSchemas.content };
  // Registered explicitly rather than through exposeHeadRoute so that HEAD never opens the file.
  app.route({ ...route, method: 'GET', exposeHeadRoute: false, handler: serve });
  app.route({ ...route, method: 'HEAD', handler: serve });
}

/** Content exists only once a video is completed; before that (or after a failure) there is none. */
function notReady(job: Job): AppError {
  const status = openAiStatus(job.status);
  const message =
    status === 'failed'
      ? `video ${job.id} failed, so it has no content`
      : `video ${job.id} is not ready yet (status ${status}); download its content once its status is completed`;
  return new AppError('not_ready', message);
}
