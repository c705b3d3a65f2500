import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { artifactOf } from '../../../jobs/job-service.ts';
import { streamJobEvents, withPreferredWait } from '../../live-status.ts';
import { toGenerationRequest } from '../../../catalog/to-generation-request.ts';
import type { Job } from '../../../domain/job.ts';
import type { ApiContext } from '../../api-context.ts';
import { idempotencyOf } from '../../request-extras.ts';
import { renderRunflowError, unknownRunflowModel } from '../runflow/runflow-error.ts';
import {
  renderCancelOutcome,
  renderResult,
  renderRunComfyError,
  renderStatus,
  renderSubmitted,
} from './runcomfy-translate.ts';
import { runComfyWebhookOf } from './runcomfy-webhook.ts';

/**
 * The RunComfy Model API: `POST /v1/models/{model…}` (the model's input schema, flat), then
 * status / result / cancel under `/v1/requests/{id}`. Routes only translate; jobs do the work.
 */
export async function registerRunComfyRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  const config = { renderError: renderRunComfyError };
  const tags = ['RunComfy'];
  const security = [{ bearerAuth: [] }];

  // One documented route per catalog model (so /docs shows each input schema), and a wildcard
  // that answers unknown model ids with RunComfy's "invalid resource identifier".
  for (const model of context.catalog.list()) {
    app.post(
      `/v1/models/${model.spec.id}`,
      {
        config,
        schema: {
          tags,
          security,
          summary: `Submit a ${model.spec.name} request`,
          body: model.spec.inputSchema,
        },
      },
      async (request, reply) => submit(request, reply, model.spec.id),
    );
  }
  // `/v1/models/{path}/runs` is Runflow's create route; its known models have static routes, so
  // one reaching this wildcard names a model Runflow does not have, and is answered in its envelope.
  const isRunflowPath = (request: FastifyRequest) => (request.url.split('?')[0] ?? '').endsWith('/runs');
  app.post(
    '/v1/models/*',
    {
      config: {
        renderError: (error, request) =>
          isRunflowPath(request) ? renderRunflowError(error) : renderRunComfyError(error),
      },
      schema: { hide: true },
    },
    async (request, reply) => {
      const path = (request.params as Record<string, string>)['*'] ?? '';
      if (isRunflowPath(request)) {
        const runflowIds = context.catalog.list().flatMap((model) => model.spec.aliases.runflow);
        throw unknownRunflowModel(path.replace(/\/runs$/, ''), runflowIds);
      }
      return submit(request, reply, path);
    },
  );

  async function submit(request: FastifyRequest, reply: FastifyReply, modelId: string) {
    const key = await context.authenticate(request);
    const model = context.catalog.get(modelId);
    const webhook = runComfyWebhookOf(request.query, request.body);
    const input = model.validate(webhook.input);
    const job = await context.jobs.submit({
      ownerKeyId: key.id,
      dialect: 'runcomfy',
      request: toGenerationRequest(model.spec, input, context.drawSeed),
      input,
      callbackUrl: webhook.callbackUrl,
      callbackEvents: webhook.callbackEvents,
      idempotency: idempotencyOf(request, { model: modelId, body: request.body }),
    });
    const settled = await withPreferredWait(request, reply, job, reload);
    if (!settled.waited) return renderSubmitted(job, context.publicUrl());
    // Sync mode: the submit acknowledgement plus the result as /result would give it.
    return { ...renderSubmitted(job, context.publicUrl()), ...(await result(settled.job, false)) };
  }

  const reload = (job: Job) => context.jobs.get(job.id, job.ownerKeyId);

  async function result(job: Job, includeCost: boolean) {
    // Jobs stored before artifacts had roles carry only their video, recognisable by kind.
    const artifact =
      artifactOf(job, 'video') ?? job.result?.artifacts.find((candidate) => candidate.kind === 'video');
    return renderResult(job, {
      videoUrl: artifact === undefined ? undefined : await context.artifactUrl(artifact, job),
      includeCost,
      spec: context.catalog.find(job.model)?.spec,
    });
  }

  const idParams = {
    type: 'object',
    properties: { request_id: { type: 'string' } },
    required: ['request_id'],
  } as const;

  async function ownJob(request: FastifyRequest): Promise<Job> {
    const key = await context.authenticate(request);
    const { request_id: id } = request.params as { request_id: string };
    return context.jobs.get(id, key.id);
  }

  app.get(
    '/v1/requests/:request_id/status',
    { config, schema: { tags, security, summary: 'Request status and queue position', params: idParams } },
    async (request) => {
      const job = await ownJob(request);
      return renderStatus(job, await context.jobs.queuePosition(job), context.publicUrl());
    },
  );

  app.get(
    '/v1/requests/:request_id/events',
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Server-Sent Events: status, queue position and progress',
        params: idParams,
      },
    },
    async (request, reply) => {
      await streamJobEvents(request, reply, {
        job: await ownJob(request),
        reload,
        queuePosition: (job) => context.jobs.queuePosition(job),
        render: async (job, position) => renderStatus(job, position, context.publicUrl()),
      });
    },
  );

  app.get(
    '/v1/requests/:request_id/result',
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Request result (or its current status while not finished)',
        params: idParams,
        querystring: { type: 'object', properties: { include_cost: { type: 'boolean' } } },
      },
    },
    async (request) => {
      const job = await ownJob(request);
      context.outputs.requireAvailable(job);
      const query = request.query as Record<string, string | undefined>;
      return result(job, query['include_cost'] === 'true');
    },
  );

  app.post(
    '/v1/requests/:request_id/cancel',
    { config, schema: { tags, security, summary: 'Cancel a queued request', params: idParams } },
    async (request) => {
      const key = await context.authenticate(request);
      const { request_id: id } = request.params as { request_id: string };
      const { job, cancelled } = await context.jobs.cancel(id, key.id);
      return renderCancelOutcome(job, cancelled);
    },
  );
}
