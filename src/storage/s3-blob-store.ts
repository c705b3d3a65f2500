import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError } from '../domain/app-error.ts';
import { isSafeBlobKey } from './blob-store.ts';
import type { BlobInfo, BlobRead, BlobSource, BlobStore, ByteRange } from './blob-store.ts';
import { maxPresignedUrlSeconds } from './s3-connection.ts';
import type { S3ConnectionOptions } from './s3-connection.ts';

export interface S3BlobStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Keys are stored under `<prefix>/`; empty for the bucket's root. */
  readonly prefix: string;
  /** Multipart part size (default and minimum 5 MiB, S3's own minimum). */
  readonly partSizeBytes?: number;
  /** Parts uploaded at once; memory held by one put is about partSize × this (default 4). */
  readonly partConcurrency?: number;
}

const minimumPartSize = 5 * 1024 * 1024;
const contentTypePattern = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

/**
 * An S3Client for the configured service. Checksums are computed only where S3 requires them:
 * the SDK's default (a CRC trailer on every upload, `aws-chunked` bodies) is not understood by
 * several S3-compatible servers, and the payload is signed anyway.
 */
export function createS3Client(options: S3ConnectionOptions): S3Client {
  return new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: 10_000,
      httpAgent: { keepAlive: true, maxSockets: options.maxSockets },
      httpsAgent: { keepAlive: true, maxSockets: options.maxSockets },
    },
  });
}

/**
 * The scale-out BlobStore: blobs are objects in one bucket under a prefix, so every API and worker
 * node sees the same files. Uploads stream through `@aws-sdk/lib-storage` (one PUT for a small
 * blob, a multipart upload in parts for a large one; an upload that fails is aborted, so no part is
 * left behind and the old object stays). Download URLs are SigV4 presigned GETs: the client
 * downloads from the storage service directly, with Range support, and no API node serves bytes.
 *
 * Keys follow the same rule as on local disk (`isSafeBlobKey`): `get` and `stat` answer undefined
 * for an unsafe key; `put`, `delete` and `url` throw, because building one is a caller's bug.
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #partSize: number;
  readonly #partConcurrency: number;

  constructor(options: S3BlobStoreOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.#partSize = Math.max(minimumPartSize, options.partSizeBytes ?? minimumPartSize);
    this.#partConcurrency = Math.max(1, options.partConcurrency ?? 4);
  }

  async put(key: string, source: BlobSource, contentType: string): Promise<BlobInfo> {
    const objectKey = this.#requireKey(key);
    if (!contentTypePattern.test(contentType)) {
      throw new Error(`invalid content type ${JSON.stringify(contentType)} for blob ${key}`);
    }
    const input = 'path' in source ? createReadStream(source.path) : source.stream;
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(null, chunk);
      },
    });
    // A failing source must fail the upload: pipe() alone would leave the counter open forever.
    input.once('error', (error: Error) => counter.destroy(error));
    input.pipe(counter);
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: objectKey, Body: counter, ContentType: contentType },
      partSize: this.#partSize,
      queueSize: this.#partConcurrency,
      leavePartsOnError: false,
    });
    const failed = new Promise<never>((_resolve, reject) => counter.once('error', reject));
    try {
      const done = await Promise.race([upload.done(), failed]);
      return { key, size, contentType, ...(done.ETag === undefined ? {} : { etag: done.ETag }) };
    } catch (error) {
      await upload.abort().catch(() => undefined);
      input.destroy();
      throw error;
    }
  }

  /**
   * @throws AppError `range_not_satisfiable` when `range` starts past the end or is inverted; an
   *   end past the last byte is clamped.
   */
  async get(key: string, range?: ByteRange): Promise<BlobRead | undefined> {
    const objectKey = this.#objectKey(key);
    if (objectKey === undefined) return undefined;
    if (range !== undefined) checkRange(range, key);
    try {
      const response = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: objectKey,
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
      const stream = response.Body as Readable;
      const length = response.ContentLength ?? 0;
      const served = parseContentRange(response.ContentRange) ?? { start: 0, end: length - 1, size: length };
      const info: BlobInfo = {
        key,
        size: served.size,
        contentType: response.ContentType ?? 'application/octet-stream',
        ...(response.ETag === undefined ? {} : { etag: response.ETag }),
      };
      return { info, stream, range: { start: served.start, end: served.end } };
    } catch (error) {
      if (isMissing(error)) return undefined;
      if (errorName(error) === 'InvalidRange') throw unsatisfiable(range, key);
      throw error;
    }
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    const objectKey = this.#objectKey(key);
    if (objectKey === undefined) return undefined;
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: objectKey }));
      return {
        key,
        size: head.ContentLength ?? 0,
        contentType: head.ContentType ?? 'application/octet-stream',
        ...(head.ETag === undefined ? {} : { etag: head.ETag }),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Deleting an object that does not exist is not an error (S3 answers 204 either way). */
  async delete(key: string): Promise<void> {
    const objectKey = this.#requireKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: objectKey }));
  }

  /** A presigned GET valid for `ttlSeconds` (at most 7 days, SigV4's limit). No request is made. */
  async url(key: string, ttlSeconds: number): Promise<string> {
    const objectKey = this.#requireKey(key);
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > maxPresignedUrlSeconds) {
      throw new Error(
        `a presigned URL lifetime must be from 1 to ${maxPresignedUrlSeconds} seconds, got ${ttlSeconds}`,
      );
    }
    const command = new GetObjectCommand({ Bucket: this.#bucket, Key: objectKey });
    return getSignedUrl(this.#client, command, { expiresIn: Math.ceil(ttlSeconds) });
  }

  #objectKey(key: string): string | undefined {
    if (!isSafeBlobKey(key)) return undefined;
    return this.#prefix === '' ? key : `${this.#prefix}/${key}`;
  }

  #requireKey(key: string): string {
    const objectKey = this.#objectKey(key);
    if (objectKey === undefined) {
      throw new Error(
        `unsafe blob key ${JSON.stringify(key)}: keys are slash-separated segments of letters, ` +
          'digits, ".", "_" and "-" that do not start with a dot',
      );
    }
    return objectKey;
  }
}

/** Refuses what no size can satisfy before asking S3 (which would ignore an inverted range). */
function checkRange(range: ByteRange, key: string): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw unsatisfiable(range, key);
  }
}

function unsatisfiable(range: ByteRange | undefined, key: string): AppError {
  const bytes = range === undefined ? 'the range' : `bytes ${range.start}-${range.end}`;
  return new AppError('range_not_satisfiable', `${bytes} are not within blob ${key}`);
}

/** `bytes 0-99/300` → its parts; undefined when absent or malformed. */
function parseContentRange(
  header: string | undefined,
): { start: number; end: number; size: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '');
  if (match === null) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}

function errorName(error: unknown): string | undefined {
  return error instanceof S3ServiceException || error instanceof Error ? error.name : undefined;
}

/** 404 from GET (`NoSuchKey`) or HEAD (`NotFound`, no body to name it). */
function isMissing(error: unknown): boolean {
  const name = errorName(error);
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}
