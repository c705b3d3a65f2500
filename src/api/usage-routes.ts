import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey } from '../domain/api-key.ts';
import { AppError } from '../domain/app-error.ts';
import type { UsageGrouping } from '../domain/usage.ts';
import { monthStart } from '../usage/key-policy.ts';
import type { ApiContext } from './api-context.ts';
import { parseUsageQuery } from './admin-schemas.ts';

/** The name of each group's label in the answer. */
const groupField: Record<UsageGrouping, string> = { model: 'model', day: 'day', key: 'key_id' };

/**
 * `GET /v1/usage?from&to&group_by=model|day|key[&key_id]`: succeeded jobs, billable seconds and
 * cost that finished in [from, to) (default: this UTC month so far). An ordinary key sees its own
 * usage; an admin key sees every key's unless it names one. `/v1/admin/usage` is the same for
 * admin keys only.
 */
export async function registerUsageRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  const tags = ['Usage'];
  const security = [{ bearerAuth: [] }];
  const querystring = {
    type: 'object',
    properties: {
      from: {
        type: 'string',
        description: 'ISO 8601 date or date-time (inclusive); default: start of this UTC month',
      },
      to: { type: 'string', description: 'ISO 8601 date or date-time (exclusive); default: now' },
      group_by: { type: 'string', enum: ['model', 'day', 'key'] },
      key_id: { type: 'string', description: 'admin keys: one key only' },
    },
  } as const;

  app.get(
    '/v1/usage',
    { schema: { tags, security, summary: 'Usage and cost, grouped by model, day or key', querystring } },
    async (request) => usage(request, await context.authenticate(request)),
  );
  app.get(
    '/v1/admin/usage',
    { schema: { tags: ['Admin'], security, summary: 'Every key’s usage (admin keys only)', querystring } },
    async (request) => usage(request, requireAdmin(await context.authenticate(request))),
  );

  async function usage(request: FastifyRequest, key: ApiKey) {
    const query = parseUsageQuery(request.query);
    if (key.scope !== 'admin' && query.keyId !== undefined && query.keyId !== key.id) {
      throw new AppError('forbidden', 'only an admin key may read another key’s usage (key_id)', {
        field: 'key_id',
      });
    }
    const now = context.now();
    const from = query.from ?? monthStart(now);
    const to = query.to ?? now;
    if (from >= to) {
      throw AppError.validation([{ field: 'to', rule: 'minimum', message: 'to must be later than from' }]);
    }
    const keyId = query.keyId ?? (key.scope === 'admin' ? null : key.id);
    const report = await context.usageReports.summarize({ keyId, from, to, groupBy: query.groupBy });
    const sums = (group: { jobs: number; billableSeconds: number; costUsd: number }) => ({
      jobs: group.jobs,
      billable_seconds: group.billableSeconds,
      cost_usd: group.costUsd,
    });
    return {
      object: 'usage',
      key_id: keyId,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      group_by: query.groupBy,
      currency: 'USD',
      data: report.groups.map((group) => ({ [groupField[query.groupBy]]: group.group, ...sums(group) })),
      total: sums(report.total),
    };
  }
}

/** The key itself when it is an admin key; 403 `forbidden` for an ordinary key. */
export function requireAdmin(key: ApiKey): ApiKey {
  if (key.scope !== 'admin') throw new AppError('forbidden', 'this route needs an admin key');
  return key;
}
