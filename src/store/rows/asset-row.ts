import { z } from 'zod';
import { assetKinds } from '../../domain/asset.ts';
import type { Asset } from '../../domain/asset.ts';
import { unreadableRow } from './job-row.ts';

/**
 * The one place where an `assets` row becomes a domain `Asset`. Rows are parsed, not cast, so a
 * hand-edited or damaged row fails loudly with its id and column instead of reaching the API.
 */

// `facts` is a JSON object; a loose record keeps fields a newer inspector wrote.
const factsText = z
  .string()
  .transform((text, context): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      context.addIssue({ code: 'custom', message: 'is not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.unknown()));

const assetRowSchema = z.object({
  id: z.string(),
  owner_key_id: z.string(),
  blob_key: z.string(),
  kind: z.enum(assetKinds),
  format: z.string(),
  content_type: z.string(),
  bytes: z.number().int().nonnegative(),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  duration_seconds: z.number().nonnegative().nullable(),
  facts: factsText,
  created_at: z.number(),
});

/** Maps a `SELECT *` row of `assets` to an Asset; throws `internal_error` when the row is malformed. */
export function assetFromRow(row: unknown): Asset {
  const parsed = assetRowSchema.safeParse(row);
  if (!parsed.success) throw unreadableRow('asset', row, parsed.error);
  const columns = parsed.data;
  return {
    id: columns.id,
    ownerKeyId: columns.owner_key_id,
    blobKey: columns.blob_key,
    kind: columns.kind,
    format: columns.format,
    contentType: columns.content_type,
    bytes: columns.bytes,
    width: columns.width,
    height: columns.height,
    durationSeconds: columns.duration_seconds,
    facts: columns.facts,
    createdAt: columns.created_at,
  };
}
