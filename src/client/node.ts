import { createHmac, timingSafeEqual } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { CallOptions } from './jobs-resource.ts';
import type { ReelgateClient } from './reelgate-client.ts';
import { ReelgateError, WebhookVerificationError } from './reelgate-error.ts';
import type { AssetView, JobView } from './types.ts';

/**
 * Node-only helpers of the SDK: stream an output to a file, upload a file from disk, verify a
 * callback's Standard Webhooks signature.
 */

/**
 * Streams one output of a succeeded job (the MP4 unless `role` says otherwise) to `filePath`,
 * through a temporary file renamed at the end, so the path never holds half a video. Resolves
 * with the bytes written.
 */
export async function downloadJobOutput(
  client: ReelgateClient,
  job: JobView,
  filePath: string,
  options: CallOptions & { readonly role?: string } = {},
): Promise<number> {
  const response = await client.jobs.openOutput(job, options);
  if (response.body === null) throw new ReelgateError('the download had no body', { code: 'empty_body' });
  const partial = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.part`);
  let bytes = 0;
  const source = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>, {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  source.on('data', (chunk: Buffer) => (bytes += chunk.length));
  try {
    await pipeline(source, createWriteStream(partial));
    await rename(partial, filePath);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return bytes;
}

/** Uploads a file from disk as an asset, streaming it (the file is not read into memory first). */
export async function uploadAssetFile(
  client: ReelgateClient,
  filePath: string,
  options: CallOptions = {},
): Promise<AssetView> {
  const blob = await openAsBlob(filePath);
  return client.assets.upload(blob, { filename: path.basename(filePath), signal: options.signal });
}

export interface VerifyOptions {
  /** Seconds a delivery's timestamp may differ from now (default 300). */
  readonly toleranceSeconds?: number;
  /** The clock, epoch milliseconds (tests pin it). */
  readonly now?: number;
}

type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Checks a callback delivery (Standard Webhooks): `webhook-signature` holds `v1,<base64>` HMACs of
 * `{webhook-id}.{webhook-timestamp}.{body}` keyed with the secret (`whsec_` + base64); one match
 * with any of them, within the timestamp tolerance, passes. Returns the parsed body; throws
 * WebhookVerificationError otherwise. Pass the body exactly as received (bytes or string).
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): unknown {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header', {
      code: 'missing_headers',
    });
  }
  const seconds = Number(timestamp);
  const now = (options.now ?? Date.now()) / 1000;
  const tolerance = options.toleranceSeconds ?? 300;
  if (!/^\d+$/.test(timestamp) || Math.abs(now - seconds) > tolerance) {
    throw new WebhookVerificationError(
      `webhook-timestamp ${timestamp} is outside the ${tolerance} s tolerance`,
      {
        code: 'stale_timestamp',
      },
    );
  }
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(bytes).digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) {
    throw new WebhookVerificationError('no webhook signature matches this secret', { code: 'bad_signature' });
  }
  return JSON.parse(bytes.toString('utf8')) as unknown;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value[0];
}
