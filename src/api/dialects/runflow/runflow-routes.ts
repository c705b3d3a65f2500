import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogModel } from '../../../catalog/model-catalog.ts';
import { AppError } from '../../../domain/app-error.ts';
import type { Job } from '../../../domain/job.ts';
import { isTerminal } from '../../../domain/job.ts';
import { withPreferredWait } from '../../live-status.ts';
import type { ApiContext } from '../../api-context.ts';
import { idempotencyOf } from '../../request-extras.ts';
import { renderRunflowError } from './runflow-error.ts';
import { pythonIso, renderRun, runArtifacts, storedRunflowBody } from './runflow-run.ts';
import { parseCancelBody, parseCreateBody, runflowInputSchema, runflowMode } from './runflow-schema.ts';
import { parseListQuery, runflowStatusTable, toRunflowGenerationRequest } from './runflow-translate.ts';

/**
 * The Runflow API: `POST /v1/models/{model…}/runs` for every Runflow id of every catalog model,
 * the Run object under `/v1/runs`, the status table, the admin cancellation and the health check.
 * Routes only translate; jobs do the work.
 */
export async function registerRunflowRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  const config = { renderError: renderRunflowError };
  const tags = ['Runflow'];
  const security = [{ bearerAuth: [] }];

  // One static route per Runflow id: static routes win over RunComfy's `/v1/models/*` wildcard.
  for (const model of context.catalog.list()) {
    for (const modelPath of model.spec.aliases.runflow) {
      app.post(
        `/v1/models/${modelPath}/runs`,
        {
          config,
          schema: {
            tags,
            security,
            summary: `Create a ${model.spec.name} run (${runflowMode(modelPath)})`,
            body: createBodyDocumentation(modelPath),
          },
        },
        async (request, reply) => createRun(request, reply, model, modelPath),
      );
    }
  }

  async function createRun(
    request: FastifyRequest,
    reply: FastifyReply,
    model: CatalogModel,
    modelPath: string,
  ) {
    const key = await context.authenticate(request);
    const mode = runflowMode(modelPath);
    const body = parseCreateBody(request.body, mode);
    const generation = toRunflowGenerationRequest(model.spec, mode, body.input, context.drawSeed);
    const job = await context.jobs.submit({
      ownerKeyId: key.id,
      dialect: 'runflow',
      request: generation,
      input: storedRunflowBody(modelPath, body),
      callbackUrl: body.callback_url ?? null,
      idempotency: idempotencyOf(request, { model: modelPath, body: request.body }),
    });
    void reply.status(201);
    return render(
      (await withPreferredWait(request, reply, job, (submitted) => context.jobs.get(submitted.id, key.id)))
        .job,
    );
  }

  async function render(job: Job) {
    const { video, lastFrame } = runArtifacts(job);
    return renderRun(job, {
      spec: context.catalog.find(job.model)?.spec,
      videoUrl: video === undefined ? undefined : await context.artifactUrl(video, job),
      lastFrameUrl: lastFrame === undefined ? undefined : await context.artifactUrl(lastFrame, job),
    });
  }

  const idParams = {
    type: 'object',
    properties: { run_id: { type: 'string' } },
    required: ['run_id'],
  } as const;

  app.get(
    '/v1/runs/statuses',
    { config, schema: { tags, summary: 'Every run status_code with its meaning' } },
    async () => runflowStatusTable,
  );

  app.get(
    '/v1/runs/:run_id',
    { config, schema: { tags, security, summary: 'Get a run', params: idParams } },
    async (request) => {
      const key = await context.authenticate(request);
      const { run_id: id } = request.params as { run_id: string };
      const job = await inRunTerms(id, context.jobs.get(id, key.id));
      // The run is where its outputs are handed out: once they expired, that is a 410.
      context.outputs.requireAvailable(job);
      return render(job);
    },
  );

  app.get(
    '/v1/runs',
    {
      config,
      schema: {
        tags,
        security,
        summary: "List this key's runs, newest first",
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            cursor: { type: 'string', description: 'next_cursor of the previous page' },
            status: { type: 'string', description: 'status_code values, comma-separated' },
          },
        },
      },
    },
    async (request) => {
      const key = await context.authenticate(request);
      const query = parseListQuery(request.query as Record<string, unknown>);
      // One extra row tells whether another page follows.
      const jobs = await context.jobs.list(key.id, {
        limit: query.limit + 1,
        order: 'desc',
        ...(query.cursor === undefined ? {} : { after: query.cursor }),
        ...(query.statuses === undefined ? {} : { statuses: query.statuses }),
      });
      const page = jobs.slice(0, query.limit);
      const hasMore = jobs.length > query.limit;
      return {
        items: await Promise.all(page.map(render)),
        next_cursor: hasMore ? (page.at(-1)?.id ?? null) : null,
        has_more: hasMore,
      };
    },
  );

  app.post(
    '/v1/admin/runs/:run_id/cancellation',
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Cancel a queued run (201), or return a finished one unchanged (200)',
        params: idParams,
      },
    },
    async (request, reply) => {
      const key = await context.authenticate(request);
      const { run_id: id } = request.params as { run_id: string };
      parseCancelBody(request.body);
      const before = await inRunTerms(id, context.jobs.get(id, key.id));
      if (isTerminal(before.status)) return render(before);
      if (before.status === 'running') throw runningNotCancellable(id);
      const { job, cancelled } = await inRunTerms(id, context.jobs.cancel(id, key.id));
      if (cancelled) {
        void reply.status(201);
        return render(job);
      }
      // The run started or finished between the read and the cancel.
      if (isTerminal(job.status)) return render(job);
      throw runningNotCancellable(id);
    },
  );

  app.get('/v1/health', { config, schema: { tags, summary: 'Health check (no key needed)' } }, async () => ({
    ok: true,
    status: 'ok',
    time: pythonIso(context.now()),
  }));
}

/** The job service says "request … not found"; a Runflow client asked for a run. */
export async function inRunTerms<T>(id: string, lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      throw new AppError('not_found', `run ${id} not found`);
    }
    throw error;
  }
}

function runningNotCancellable(id: string): AppError {
  return new AppError(
    'not_cancellable',
    `run ${id} is already running; only queued runs can be cancelled (a running run cannot be stopped here yet)`,
  );
}

/** The create body as JSON Schema, for /docs (validation itself is zod, in runflow-schema.ts). */
function createBodyDocumentation(modelPath: string) {
  return {
    type: 'object',
    required: ['input'],
    additionalProperties: false,
    properties: {
      input: { ...runflowInputSchema(runflowMode(modelPath)), additionalProperties: false },
      callback_url: {
        type: ['string', 'null'],
        description: 'Webhook URL, POSTed when the run reaches a terminal state.',
      },
      metadata: { type: ['object', 'null'], description: 'Arbitrary key-value pairs attached to the run.' },
      client_ref: {
        type: ['string', 'null'],
        maxLength: 255,
        description: 'Your own reference for the run.',
      },
    },
  };
}
