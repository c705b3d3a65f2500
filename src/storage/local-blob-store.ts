import { randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { copyFile, lstat, mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AppError } from '../domain/app-error.ts';
import { isSafeBlobKey } from './blob-store.ts';
import type { BlobInfo, BlobRead, BlobSource, BlobStore, ByteRange } from './blob-store.ts';
import type { UrlSigner } from './url-signer.ts';

export interface LocalBlobStoreOptions {
  /** Folder that holds every blob at `<root>/<key>`; created on demand. */
  readonly root: string;
  /**
   * Base of the download URLs, without the `/v1/files` path. A function when the server learns
   * its address only after it starts listening (port 0); it is called for every URL.
   */
  readonly publicUrl: string | (() => string);
  readonly signer: UrlSigner;
  /** Clock in epoch milliseconds, for URL expiry. */
  readonly now?: () => number;
}

/**
 * What the local store reports about a blob: the BlobInfo contract plus a strong HTTP validator.
 * `etag` changes whenever the blob is replaced (every put writes a new file), so HTTP caches and
 * resumed downloads (`If-Range`) never mix bytes of two versions.
 */
export interface LocalBlobInfo extends BlobInfo {
  /** A quoted strong entity tag, e.g. `"3k2-1a4-lq2x9c"`. */
  readonly etag: string;
}

/** Served for blobs whose sidecar is missing (written by hand, or a crash between the two renames). */
const fallbackContentType = 'application/octet-stream';

/** Printable ASCII only: the value becomes a response header, so no control characters. */
const contentTypePattern = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

const sidecarSchema = z.object({ contentType: z.string().regex(contentTypePattern) });

/**
 * The embedded BlobStore: blobs are plain files under one root folder, so an operator can see and
 * back them up with ordinary tools. The content type given at `put` is kept in a hidden sidecar
 * `<dir>/.<name>.meta.json`. Keys never have a segment that starts with a dot (`isSafeBlobKey`),
 * so hidden names — sidecars and temporary files — can never collide with a blob.
 *
 * Writes are atomic: data goes to a hidden temporary file in the target folder, is flushed, and is
 * renamed over the final name, so a reader sees the old blob or the new one, never half of one.
 * The sidecar is renamed into place first: the data file is the truth about whether a blob
 * exists, so a crash in between leaves at worst an orphan sidecar that the next put replaces.
 *
 * Keys: `get` and `stat` answer `undefined` for a key that is not safe (no such blob can exist);
 * `put`, `delete` and `url` throw a plain Error for one, because building such a key is a bug in
 * the caller, not something a client can cause. After validation every path is also resolved and
 * checked to stay under the root, in case the key rule is ever loosened.
 *
 * A key cannot be both a blob and a folder of other blobs (`a` and `a/b`), unlike in S3; keys in
 * this project are built as `<area>/<id>/<file>`, which never needs both.
 */
export class LocalBlobStore implements BlobStore {
  readonly #root: string;
  readonly #publicUrl: string | (() => string);
  readonly #signer: UrlSigner;
  readonly #now: () => number;

  constructor(options: LocalBlobStoreOptions) {
    this.#root = path.resolve(options.root);
    this.#publicUrl = options.publicUrl;
    this.#signer = options.signer;
    this.#now = options.now ?? Date.now;
  }

  /** Copies a file (the caller may delete its own copy afterwards) or drains a stream to disk. */
  async put(key: string, source: BlobSource, contentType: string): Promise<LocalBlobInfo> {
    const file = this.#requirePath(key);
    if (!contentTypePattern.test(contentType)) {
      throw new Error(`invalid content type ${JSON.stringify(contentType)} for blob ${key}`);
    }
    const folder = path.dirname(file);
    await mkdir(folder, { recursive: true });
    const unique = randomBytes(6).toString('hex');
    const temporaryData = path.join(folder, `.${path.basename(file)}.${unique}.tmp`);
    const temporarySidecar = `${temporaryData}.meta`;
    try {
      if ('path' in source) {
        await copyFile(source.path, temporaryData, constants.COPYFILE_EXCL);
      } else {
        await pipeline(source.stream, createWriteStream(temporaryData, { flags: 'wx' }));
      }
      const stats = await flush(temporaryData);
      await writeFlushed(temporarySidecar, JSON.stringify({ contentType }));
      await rename(temporarySidecar, sidecarPath(file));
      await rename(temporaryData, file);
      await flushFolder(folder);
      return describe(key, stats, contentType);
    } catch (error) {
      await rm(temporaryData, { force: true });
      await rm(temporarySidecar, { force: true });
      throw error;
    }
  }

  /**
   * Opens the blob once and reads size, validator and bytes through that one handle, so the info
   * always describes the bytes streamed even if the blob is replaced meanwhile. The caller must
   * consume or destroy the stream; that closes the file.
   *
   * @throws AppError `range_not_satisfiable` when `range` starts past the end or is inverted;
   *   an end past the last byte is clamped, as HTTP does.
   */
  async get(key: string, range?: ByteRange): Promise<BlobRead | undefined> {
    const file = this.#resolvePath(key);
    if (file === undefined) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isAbsent(error)) return undefined;
      throw error;
    }
    try {
      const stats = await handle.stat({ bigint: true });
      if (!stats.isFile()) {
        await handle.close();
        return undefined;
      }
      const info = describe(key, stats, await readContentType(file));
      const served = servedRange(range, info.size, key);
      // An empty blob has no byte to name as `end`; reading from 0 to the end yields nothing.
      const stream =
        served.end >= served.start
          ? handle.createReadStream({ start: served.start, end: served.end })
          : handle.createReadStream({ start: 0 });
      return { info, stream, range: served };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async stat(key: string): Promise<LocalBlobInfo | undefined> {
    const file = this.#resolvePath(key);
    if (file === undefined) return undefined;
    let stats: BigIntStats;
    try {
      stats = await stat(file, { bigint: true });
    } catch (error) {
      if (isAbsent(error)) return undefined;
      throw error;
    }
    if (!stats.isFile()) return undefined;
    return describe(key, stats, await readContentType(file));
  }

  /** Removes a blob and its sidecar; deleting a blob that does not exist is not an error. */
  async delete(key: string): Promise<void> {
    const file = this.#requirePath(key);
    try {
      // A folder of other blobs is not a blob: leave it alone.
      if (!(await lstat(file)).isFile()) return;
      await unlink(file);
    } catch (error) {
      if (!isAbsent(error)) throw error;
    }
    await rm(sidecarPath(file), { force: true });
  }

  /** `<publicUrl>/v1/files/<key>?expires=<epoch seconds>&signature=<base64url>`, served by file-routes. */
  async url(key: string, ttlSeconds: number): Promise<string> {
    this.#requirePath(key);
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new Error(`a URL lifetime must be a positive number of seconds, got ${ttlSeconds}`);
    }
    const expires = Math.floor(this.#now() / 1000) + Math.ceil(ttlSeconds);
    const signature = this.#signer.sign(key, expires);
    const base = (typeof this.#publicUrl === 'function' ? this.#publicUrl() : this.#publicUrl).replace(
      /\/+$/,
      '',
    );
    // Safe keys and base64url need no percent-encoding.
    return `${base}/v1/files/${key}?expires=${expires}&signature=${signature}`;
  }

  /** The file for a safe key, or undefined when the key is unsafe or would leave the root. */
  #resolvePath(key: string): string | undefined {
    if (!isSafeBlobKey(key)) return undefined;
    const file = path.resolve(this.#root, key);
    return file.startsWith(this.#root + path.sep) ? file : undefined;
  }

  #requirePath(key: string): string {
    const file = this.#resolvePath(key);
    if (file === undefined) {
      throw new Error(
        `unsafe blob key ${JSON.stringify(key)}: keys are slash-separated segments of letters, ` +
          'digits, ".", "_" and "-" that do not start with a dot',
      );
    }
    return file;
  }
}

function sidecarPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.meta.json`);
}

function describe(key: string, stats: BigIntStats, contentType: string): LocalBlobInfo {
  // Inode + size + nanosecond mtime: a put always creates a new inode, so a replaced blob gets
  // a new tag even when it has the same size and lands in the same millisecond.
  const etag = `"${stats.ino.toString(36)}-${stats.size.toString(36)}-${stats.mtimeNs.toString(36)}"`;
  return { key, size: Number(stats.size), contentType, etag };
}

async function readContentType(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(sidecarPath(file), 'utf8');
  } catch (error) {
    if (isAbsent(error)) return fallbackContentType;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fallbackContentType;
  }
  const sidecar = sidecarSchema.safeParse(parsed);
  return sidecar.success ? sidecar.data.contentType : fallbackContentType;
}

/** Validates a requested range against the size and clamps its end to the last byte. */
function servedRange(range: ByteRange | undefined, size: number, key: string): ByteRange {
  if (range === undefined) return { start: 0, end: size - 1 };
  const { start, end } = range;
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start < 0 ||
    end < start ||
    start >= size
  ) {
    throw new AppError(
      'range_not_satisfiable',
      `bytes ${start}-${end} are not within blob ${key}, which has ${size} bytes`,
    );
  }
  return { start, end: Math.min(end, size - 1) };
}

/** fsync so that a crash right after the rename cannot leave an empty or short blob. */
async function flush(file: string): Promise<BigIntStats> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
    return await handle.stat({ bigint: true });
  } finally {
    await handle.close();
  }
}

async function writeFlushed(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the renames durable. Best effort: some filesystems refuse to fsync a folder. */
async function flushFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data itself is already flushed; only the rename's durability is at stake.
  }
}

/** Missing file, or a path through a file where a folder was expected: no such blob. */
function isAbsent(error: unknown): boolean {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
