import type { IncomingMessage } from 'node:http';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../domain/app-error.ts';
import type { Asset } from '../domain/asset.ts';
import type { ApiContext } from './api-context.ts';
import { assetFileField, assetMultipartLimits, receiveUpload } from './asset-upload.ts';

/** How much of a refused upload's remaining body is read and dropped before the connection is cut. */
const maxDiscardedBytes = 64 * 1024 * 1024;
/** How long a refused upload may pause before its connection is cut. */
const discardIdleMs = 2000;

/** Page size of `GET /v1/assets` when the client gives none. */
export const defaultAssetPageSize = 20;
/** The largest page `GET /v1/assets` returns. */
export const maxAssetPageSize = 100;

const limitMessage = `limit must be a whole number from 1 to ${maxAssetPageSize}`;

// Query values are strings; a repeated parameter arrives as an array and is refused by type.
const listQuerySchema = z.object({
  limit: z
    .string({ error: limitMessage })
    .regex(/^\d{1,3}$/, { error: limitMessage })
    .transform(Number)
    .pipe(z.number().min(1, { error: limitMessage }).max(maxAssetPageSize, { error: limitMessage }))
    .optional(),
  after: z
    .string({ error: 'after must be a single asset id' })
    .min(1, { error: 'after must not be empty' })
    .optional(),
});

const idParamsSchema = z.object({ asset_id: z.string() });

/**
 * Reelgate's own assets API, in the neutral error envelope: upload a medium once
 * (`POST /v1/assets`, multipart), then reference it in any dialect's request as `asset://<id>`.
 * Retrieve, list and delete see only the calling key's assets; another key's asset answers 404
 * exactly like an unknown id, so ids cannot be probed.
 *
 * The routes live in one encapsulated scope so that this multipart parser, with the asset size
 * limits, applies to them only.
 */
export async function registerAssetRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: assetMultipartLimits });
    // An answer sent before the whole upload arrived (a bad key, a file over its limit) leaves the
    // rest of the body unread. Closing the connection at once would lose that answer: the client
    // is still writing, so its side sees a reset, often before it has read the response. Instead
    // the rest is read and thrown away, up to a bound, and the connection then stays usable.
    scope.addHook('onSend', async (request, _reply, payload) => {
      if (!request.raw.complete) discardRestOfBody(request.raw);
      return payload;
    });
    registerRoutes(scope, context);
  });
}

function registerRoutes(app: FastifyInstance, context: ApiContext): void {
  const { assets } = context;
  const tags = ['Assets'];
  const security = [{ bearerAuth: [] }];

  app.post(
    '/v1/assets',
    {
      schema: {
        tags,
        security,
        summary: `Upload an image, video or audio file (multipart/form-data, part "${assetFileField}")`,
      },
    },
    async (request, reply) => {
      const key = await context.authenticate(request);
      const upload = await receiveUpload(request, assets.scratchDir);
      // The service removes the scratch file before it settles, so the answer goes out after that.
      const asset = await assets.upload({
        ownerKeyId: key.id,
        file: upload.file,
        kind: upload.kind,
        field: assetFileField,
        signal: closedSignal(reply),
      });
      void reply.code(201);
      return renderAsset(asset);
    },
  );

  app.get(
    '/v1/assets',
    { schema: { tags, security, summary: "List the key's assets, newest first" } },
    async (request) => {
      const key = await context.authenticate(request);
      const page = await assets.list(key.id, parseListQuery(request.query));
      const data = page.assets.map(renderAsset);
      return { object: 'list', data, has_more: page.hasMore, last_id: data.at(-1)?.id ?? null };
    },
  );

  app.get('/v1/assets/:asset_id', { schema: { tags, security, summary: 'One asset' } }, async (request) => {
    const key = await context.authenticate(request);
    const id = idParamsSchema.parse(request.params).asset_id;
    return renderAsset(await assets.get(id, key.id));
  });

  app.delete(
    '/v1/assets/:asset_id',
    { schema: { tags, security, summary: 'Delete an asset' } },
    async (request) => {
      const key = await context.authenticate(request);
      const id = idParamsSchema.parse(request.params).asset_id;
      const asset = await assets.delete(id, key.id);
      return { id: asset.id, object: 'asset.deleted', deleted: true };
    },
  );
}

/** The API's view of an asset. Times are Unix seconds, as in the OpenAI-style lists. */
export function renderAsset(asset: Asset) {
  return {
    id: asset.id,
    object: 'asset',
    url: `asset://${asset.id}`,
    type: asset.kind,
    format: asset.format,
    content_type: asset.contentType,
    size: asset.bytes,
    width: asset.width,
    height: asset.height,
    duration: asset.durationSeconds,
    created_at: Math.floor(asset.createdAt / 1000),
  };
}

function parseListQuery(query: unknown): { readonly limit: number; readonly after?: string } {
  const parsed = listQuerySchema.safeParse(typeof query === 'object' && query !== null ? query : {});
  if (!parsed.success) {
    throw AppError.validation(
      parsed.error.issues.map((issue) => ({
        field: issue.path.map(String).join('.') || 'query',
        rule: issue.code === 'invalid_type' ? 'type' : 'format',
        message: issue.message,
      })),
    );
  }
  const { limit = defaultAssetPageSize, after } = parsed.data;
  return after === undefined ? { limit } : { limit, after };
}

/**
 * Stops parsing the body and throws the rest away as it arrives, so the client, still writing,
 * reads its answer instead of a reset. The connection is cut once the client sends more than
 * {@link maxDiscardedBytes} or goes quiet for {@link discardIdleMs}: many clients (Node's own
 * among them) stop writing once they have an answer, and would otherwise hold it open for good.
 */
function discardRestOfBody(request: IncomingMessage): void {
  request.unpipe();
  let discarded = 0;
  const cut = () => request.socket.destroy();
  let idle = setTimeout(cut, discardIdleMs).unref();
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    clearTimeout(idle);
    if (discarded > maxDiscardedBytes) cut();
    else idle = setTimeout(cut, discardIdleMs).unref();
  });
  request.once('end', () => clearTimeout(idle));
  request.once('close', () => clearTimeout(idle));
  request.resume();
}

/** Aborts when the client goes away before the answer is sent, so its inspection stops. */
function closedSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
