import type { Readable } from 'node:stream';

/**
 * Where inputs and outputs live: local disk (embedded) or S3 (scale-out). Keys are relative,
 * slash-separated paths of safe characters (`outputs/<job id>/video.mp4`); implementations reject
 * anything else so that no key can escape its root.
 */
export interface BlobStore {
  /** Stores a file (streamed, never read whole into memory). Overwrites an existing key. */
  put(key: string, source: BlobSource, contentType: string): Promise<BlobInfo>;
  /**
   * Reads a blob, or an inclusive byte range of it. Undefined when the key does not exist. A range
   * end past the last byte is clamped; a range that starts past the end (or is inverted) throws
   * AppError('range_not_satisfiable'). The caller owns the returned stream: reading it to the end
   * or destroying it releases the underlying file or connection.
   */
  get(key: string, range?: ByteRange): Promise<BlobRead | undefined>;
  stat(key: string): Promise<BlobInfo | undefined>;
  delete(key: string): Promise<void>;
  /** A URL a client can download the blob from until `ttlSeconds` from now. */
  url(key: string, ttlSeconds: number): Promise<string>;
}

/** A local file path, or a stream of bytes. */
export type BlobSource = { readonly path: string } | { readonly stream: Readable };

export interface BlobInfo {
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
  /** A quoted strong entity tag that changes whenever the blob is replaced, when the store has one. */
  readonly etag?: string;
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface BlobRead {
  readonly info: BlobInfo;
  readonly stream: Readable;
  /** The range actually served (the whole file when no range was asked; `{0, -1}` for an empty blob). */
  readonly range: ByteRange;
}

const safeKey = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

/**
 * True for keys made only of safe segments. A segment cannot start with a dot, so `.` and `..`
 * are impossible; there is no leading slash and no empty segment.
 */
export function isSafeBlobKey(key: string): boolean {
  return key.length <= 512 && safeKey.test(key);
}
