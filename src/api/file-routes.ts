import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../domain/app-error.ts';
import { isSafeBlobKey } from '../storage/blob-store.ts';
import type { BlobInfo, BlobStore, ByteRange } from '../storage/blob-store.ts';
import type { UrlSigner } from '../storage/url-signer.ts';
import { describeDuration } from '../retention/output-retention.ts';

export interface FileRoutesOptions {
  readonly blobStore: BlobStore;
  readonly signer: UrlSigner;
  /** Clock in epoch milliseconds, for URL expiry. */
  readonly now?: () => number;
  /** How long outputs are kept after their job finished, for the message of a 410. */
  readonly outputTtlMs?: number;
}

/** How a Range header applies to a blob of a given size. */
export type RangeRequest =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly range: ByteRange }
  | { readonly kind: 'unsatisfiable' };

const paramsSchema = z.object({ '*': z.string() });

// Repeated parameters arrive as arrays and fail here too: one URL, one expiry, one signature.
const querySchema = z.object({
  expires: z.string().regex(/^\d{1,15}$/, 'expires must be a whole number of epoch seconds'),
  signature: z.string().min(1, 'signature must not be empty').max(256, 'signature is too long'),
});

const singleRange = /^bytes=(\d*)-(\d*)$/i;

/**
 * Serves blobs at the signed URLs that `LocalBlobStore.url` hands out: `GET` and `HEAD
 * /v1/files/<key>?expires=…&signature=…`. No API key: the signature is the credential, so a URL
 * can be given to a browser, a video player or a webhook consumer as is.
 *
 * Every refusal is an AppError for the app's error handler: a missing, malformed or forged
 * signature is `invalid_signature` (403) and says which. An expired URL whose file is gone
 * answers `output_expired` (410): URLs never outlive their output, so the file expired and the
 * retention sweep deleted it. An expired URL whose file is still stored is 403 with "ask the API
 * for a fresh URL"; a live URL for a key that holds nothing is `not_found` (404). Keys are only
 * looked up after the signature checks out, so nobody can probe which keys exist. A single
 * byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) is served as 206; a range past the end is 416
 * with a Content-Range that states the size; multiple or malformed ranges are ignored and the whole
 * file is served, as RFC 9110 allows. Bodies are streamed from the store, never buffered.
 */
export async function registerFileRoutes(app: FastifyInstance, options: FileRoutesOptions): Promise<void> {
  const now = options.now ?? Date.now;

  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const key = paramsSchema.parse(request.params)['*'];
    const nowMs = now();
    const { expires, expired } = checkSignature(options.signer, key, request.query, nowMs);
    // A valid signature implies a safe key (url() refuses others); this guards the store anyway.
    if (!isSafeBlobKey(key)) throw new AppError('not_found', `no file ${JSON.stringify(key)}`);
    const info = await options.blobStore.stat(key);
    if (info === undefined) {
      // An expired URL of a missing file was for a file that existed and expired with it (URLs
      // never outlive their output); a live URL may be for one that never was stored.
      if (expired) throw fileGone(options.outputTtlMs);
      throw new AppError('not_found', `no file ${key}`);
    }
    if (expired) {
      throw new AppError(
        'invalid_signature',
        `this file URL expired at ${new Date(expires * 1000).toISOString()}; ask the API for a fresh URL`,
      );
    }

    const etag = entityTag(info);
    const headers: Record<string, string> = {
      'accept-ranges': 'bytes',
      'cache-control': `private, max-age=${Math.max(0, expires - Math.floor(nowMs / 1000))}`,
      'content-disposition': `inline; filename="${path.posix.basename(key)}"`,
      // The type is what the producer declared; browsers must not second-guess it into HTML.
      'x-content-type-options': 'nosniff',
    };
    if (etag !== undefined) headers['etag'] = etag;

    const ifNoneMatch = request.headers['if-none-match'];
    if (etag !== undefined && ifNoneMatch !== undefined && matchesAny(ifNoneMatch, etag)) {
      return reply.code(304).headers(headers).send();
    }

    if (request.method === 'HEAD') {
      // RFC 9110 §14.2: Range applies to GET only, so HEAD describes the whole file.
      return reply
        .code(200)
        .headers({ ...headers, 'content-type': info.contentType, 'content-length': String(info.size) })
        .send();
    }

    const wanted = rangeToServe(request, info.size, etag);
    if (wanted.kind === 'unsatisfiable') {
      // Set before throwing: the error handler renders the body but keeps headers already set.
      reply.header('content-range', `bytes */${info.size}`);
      throw new AppError(
        'range_not_satisfiable',
        `the requested range is outside the file, which has ${info.size} bytes`,
      );
    }
    const read = await options.blobStore.get(key, wanted.kind === 'partial' ? wanted.range : undefined);
    if (read === undefined) throw new AppError('not_found', `no file ${key}`);

    // Describe what get() actually opened, which wins if the blob was replaced since stat().
    const servedEtag = entityTag(read.info);
    if (servedEtag !== undefined) headers['etag'] = servedEtag;
    const { start, end } = read.range;
    reply.headers({
      ...headers,
      'content-type': read.info.contentType,
      'content-length': String(Math.max(0, end - start + 1)),
    });
    if (wanted.kind === 'partial') {
      reply.code(206).header('content-range', `bytes ${start}-${end}/${read.info.size}`);
    } else {
      reply.code(200);
    }
    return reply.send(read.stream);
  };

  // Documentation only: the query is checked by zod in the handler, so that a bad signature is a
  // 403 with a clear message rather than a schema-validation 400.
  const schema = {
    tags: ['Files'],
    summary: 'Download a stored file through a signed URL (supports single byte ranges)',
  };
  // Registered explicitly rather than through exposeHeadRoute so HEAD never opens the file.
  app.route({ method: 'GET', url: '/v1/files/*', exposeHeadRoute: false, schema, handler: serve });
  app.route({ method: 'HEAD', url: '/v1/files/*', schema, handler: serve });
}

/**
 * Applies a Range header to a blob of `size` bytes. Only one range is honoured; a header that is
 * malformed, inverted (`bytes=5-2`) or lists several ranges yields `whole`, because RFC 9110
 * lets a server ignore Range and serving the whole file is always correct.
 */
export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const match = singleRange.exec(header.trim());
  if (match === null) return { kind: 'whole' };
  const first = match[1] ?? '';
  const last = match[2] ?? '';
  if (first === '' && last === '') return { kind: 'whole' };

  if (first === '') {
    // Suffix range: the last n bytes. Zero bytes, or any bytes of an empty file, cannot be served.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - length), end: size - 1 } };
  }

  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'partial', range: { start, end } };
}

/** The 410 for a signed file that is no longer stored. */
function fileGone(outputTtlMs: number | undefined): AppError {
  const kept =
    outputTtlMs === undefined
      ? ''
      : `; outputs are kept for ${describeDuration(outputTtlMs)} after their job finishes`;
  return new AppError('output_expired', `this file has expired and been deleted${kept}`);
}

/**
 * Verifies the URL's query against the key: throws for a malformed or forged one, else returns
 * its expiry (epoch seconds) and whether that has passed.
 */
function checkSignature(
  signer: UrlSigner,
  key: string,
  query: unknown,
  nowMs: number,
): { expires: number; expired: boolean } {
  const parsed = querySchema.safeParse(query);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => (issue.code === 'invalid_type' ? `${issue.path.join('.')} is missing` : issue.message))
      .join('; ');
    throw new AppError(
      'invalid_signature',
      `this file URL is not a valid signed URL (${problems}); ask the API for a fresh URL`,
    );
  }
  const expires = Number(parsed.data.expires);
  const verdict = signer.verify(key, expires, parsed.data.signature, nowMs);
  if (verdict === 'invalid') {
    throw new AppError(
      'invalid_signature',
      'this file URL has an invalid signature: it was not issued for this file and expiry',
    );
  }
  return { expires, expired: verdict === 'expired' };
}

/** The Range to honour, after `If-Range`: a range is only valid against the same version. */
function rangeToServe(request: FastifyRequest, size: number, etag: string | undefined): RangeRequest {
  const ifRange = request.headers['if-range'];
  if (ifRange !== undefined) {
    // Only a strong, identical tag proves the client's partial copy is of this version; a date
    // cannot be checked (no Last-Modified is sent), so it gets the whole file too.
    const sameVersion =
      typeof ifRange === 'string' && etag !== undefined && !etag.startsWith('W/') && ifRange.trim() === etag;
    if (!sameVersion) return { kind: 'whole' };
  }
  return parseRangeHeader(request.headers.range, size);
}

/**
 * The store's validator when it offers one. BlobInfo has no such field; the local store adds
 * `etag` to what it returns, and without one no ETag is sent rather than a guessed one.
 */
function entityTag(info: BlobInfo): string | undefined {
  return 'etag' in info && typeof info.etag === 'string' ? info.etag : undefined;
}

/** If-None-Match uses weak comparison: `W/` prefixes are ignored on both sides. */
function matchesAny(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === opaque);
}
