import { z } from 'zod';
import type { ApiKey } from '../../domain/api-key.ts';
import { unreadableRow } from './job-row.ts';

const apiKeyRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  secret_hash: z.string(),
  created_at: z.number(),
  revoked_at: z.number().nullable(),
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
  };
}
