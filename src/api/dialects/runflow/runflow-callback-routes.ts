import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../domain/app-error.ts';
import type { DeliveryView } from '../../../webhooks/callback-service.ts';
import type { ApiContext } from '../../api-context.ts';
import { renderRunflowError } from './runflow-error.ts';
import { inRunTerms } from './runflow-routes.ts';
import { pythonIso } from './runflow-run.ts';

/**
 * Runflow's callback routes (shared/reference/dialects.md §2.5): delivery history, redelivery of
 * the current state, and callback secrets. Registered with the other Runflow routes.
 */
export async function registerRunflowCallbackRoutes(
  app: FastifyInstance,
  context: ApiContext,
): Promise<void> {
  const config = { renderError: renderRunflowError };
  const tags = ['Runflow'];
  const security = [{ bearerAuth: [] }];
  const params = {
    type: 'object',
    properties: { run_id: { type: 'string' } },
    required: ['run_id'],
  } as const;

  app.get(
    '/v1/runs/:run_id/callback',
    { config, schema: { tags, security, summary: 'Callback delivery history of a run', params } },
    async (request) => {
      const key = await context.authenticate(request);
      const { run_id: id } = request.params as { run_id: string };
      const job = await inRunTerms(id, context.jobs.get(id, key.id));
      return (await context.callbacks.history(job)).map(renderDeliveryRecord);
    },
  );

  app.post(
    '/v1/runs/:run_id/callback-redeliveries',
    {
      config,
      schema: { tags, security, summary: 'Redeliver the callback with the run’s current state', params },
    },
    async (request, reply) => {
      const key = await context.authenticate(request);
      const { run_id: id } = request.params as { run_id: string };
      const job = await inRunTerms(id, context.jobs.get(id, key.id));
      const view = await context.callbacks.redeliver(job);
      return reply.code(201).send(renderDeliveryRecord(view));
    },
  );

  const secretBody = z.object({ label: z.string().max(200).nullish() }).strict();
  app.post(
    '/v1/callback-secrets',
    { config, schema: { tags, security, summary: 'Create a callback signing secret (shown once)' } },
    async (request, reply) => {
      const key = await context.authenticate(request);
      const parsed = secretBody.safeParse(request.body ?? {});
      if (!parsed.success) {
        throw AppError.validation(
          parsed.error.issues.map((issue) => ({
            field: issue.path.join('.') || 'body',
            rule: issue.code,
            message: `${issue.path.join('.') || 'body'}: ${issue.message}`,
          })),
        );
      }
      const secret = await context.callbacks.rotateSecret(key.id, parsed.data.label ?? null);
      return reply.code(201).send({ id: secret.id, label: secret.label, plain_secret: secret.secret });
    },
  );
}

/** A delivery record in Runflow's shape: the exact signed body, its parsed form, every attempt. */
export function renderDeliveryRecord(view: DeliveryView) {
  const { delivery } = view;
  return {
    id: delivery.id,
    run_id: delivery.jobId,
    callback_url: delivery.url,
    payload_bytes: delivery.payload,
    payload: delivery.payload === null ? null : (JSON.parse(delivery.payload) as unknown),
    signing_secret_id: view.signingSecretId,
    is_automatic: delivery.automatic,
    status_code: delivery.state,
    failure_reason_code: delivery.failureReason,
    failure_detail: delivery.failureDetail,
    attempt_count: delivery.attempts,
    max_attempts: view.maxAttempts,
    next_attempt_at: delivery.nextAttemptAt === null ? null : pythonIso(delivery.nextAttemptAt),
    created_at: pythonIso(delivery.createdAt),
    updated_at: pythonIso(delivery.updatedAt),
    completed_at: delivery.completedAt === null ? null : pythonIso(delivery.completedAt),
    attempts: delivery.attemptLog.map((attempt) => ({
      id: attempt.id,
      delivery_id: attempt.deliveryId,
      attempt_number: attempt.attemptNumber,
      status_code: attempt.statusCode,
      response_body: attempt.responseBody,
      response_time_ms: attempt.responseTimeMs,
      error_message: attempt.errorMessage,
      created_at: pythonIso(attempt.createdAt),
    })),
  };
}
