import { z } from 'zod';
import { keyScopes } from '../../domain/api-key.ts';
import type { ApiKey } from '../../domain/api-key.ts';
import { unreadableRow } from './job-row.ts';

const apiKeyRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  secret_hash: z.string(),
  created_at: z.number(),
  revoked_at: z.number().nullable(),
  // Added by migration 5 (scopes and limits): NULL limits mean "the server's default".
  scope: z.enum(keyScopes).default('user'),
  max_queued_jobs: z.number().int().nullable().default(null),
  max_running_jobs: z.number().int().nullable().default(null),
  create_requests_per_minute: z.number().int().nullable().default(null),
  read_requests_per_minute: z.number().int().nullable().default(null),
  monthly_spend_usd: z.number().nullable().default(null),
});

/** Maps an `api_keys` row to an ApiKey; throws `internal_error` when the row is malformed. */
export function apiKeyFromRow(row: unknown): ApiKey {
  const parsed = apiKeyRowSchema.safeParse(row);
  if (!parsed.success) throw unreadableRow('API key', row, parsed.error);
  const columns = parsed.data;
  return {
    id: columns.id,
    name: columns.name,
    prefix: columns.prefix,
    secretHash: columns.secret_hash,
    createdAt: columns.created_at,
    revokedAt: columns.revoked_at,
    scope: columns.scope,
    limits: {
      maxQueuedJobs: columns.max_queued_jobs,
      maxRunningJobs: columns.max_running_jobs,
      createRequestsPerMinute: columns.create_requests_per_minute,
      readRequestsPerMinute: columns.read_requests_per_minute,
      monthlySpendUsd: columns.monthly_spend_usd,
    },
  };
}
