import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey } from '../domain/api-key.ts';
import type { ApiContext } from './api-context.ts';
import { parseAdminJobsQuery, parseCreateKey, parseLimits, renderKey } from './admin-schemas.ts';
import { renderJob } from './job-routes.ts';
import { requireAdmin } from './usage-routes.ts';

/**
 * Admin-only routes: key management (`/v1/admin/keys`: create — the secret is shown once —,
 * list, read, revoke, set limits) and every key's jobs (`/v1/admin/jobs`). Ordinary keys get 403.
 * Runflow's `/v1/admin/runs/{id}/cancellation` is that dialect's cancel route, not one of these.
 */
export async function registerAdminRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  const tags = ['Admin'];
  const security = [{ bearerAuth: [] }];
  const params = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;
  const admin = async (request: FastifyRequest) => requireAdmin(await context.authenticate(request));
  const show = (key: ApiKey) => renderKey(key, context.keyPolicy.effectiveLimits(key));
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.post(
    '/v1/admin/keys',
    { schema: { tags, security, summary: 'Create a key; its secret is in this answer only' } },
    async (request, reply) => {
      await admin(request);
      const { name, scope, limits } = parseCreateKey(request.body);
      const created = await context.keyAdministration.create(name, scope, limits);
      return reply.code(201).send({ ...show(created.key), secret: created.secret });
    },
  );

  app.get('/v1/admin/keys', { schema: { tags, security, summary: 'List keys' } }, async (request) => {
    await admin(request);
    return { object: 'list', data: (await context.keyAdministration.list()).map(show) };
  });

  app.get(
    '/v1/admin/keys/:id',
    { schema: { tags, security, summary: 'One key', params } },
    async (request) => {
      await admin(request);
      return show(await context.keyAdministration.get(idOf(request)));
    },
  );

  app.delete(
    '/v1/admin/keys/:id',
    { schema: { tags, security, summary: 'Revoke a key (it stops working at once)', params } },
    async (request) => {
      await admin(request);
      return show(await context.keyAdministration.revoke(idOf(request)));
    },
  );

  app.put(
    '/v1/admin/keys/:id/limits',
    { schema: { tags, security, summary: 'Replace a key’s limits (null: the default, 0: none)', params } },
    async (request) => {
      await admin(request);
      return show(await context.keyAdministration.setLimits(idOf(request), parseLimits(request.body)));
    },
  );

  app.get(
    '/v1/admin/jobs',
    {
      schema: {
        tags,
        security,
        summary: 'Every key’s jobs, newest first (key_id, status, model, limit, after)',
      },
    },
    async (request) => {
      await admin(request);
      const query = parseAdminJobsQuery(request.query);
      const jobs = await context.jobs.listAll({
        ownerKeyId: query.key_id ?? null,
        limit: query.limit + 1,
        ...(query.status === undefined ? {} : { statuses: [query.status] }),
        ...(query.model === undefined ? {} : { models: [query.model] }),
        ...(query.after === undefined ? {} : { after: query.after }),
      });
      const page = jobs.slice(0, query.limit);
      const data = [];
      for (const job of page)
        data.push({ ...(await renderJob(job, undefined, context)), key_id: job.ownerKeyId });
      return { object: 'list', data, has_more: jobs.length > query.limit, last_id: page.at(-1)?.id ?? null };
    },
  );
}
