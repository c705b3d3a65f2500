import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Asset } from '../domain/asset.ts';
import type { ErrorCode } from '../domain/app-error.ts';
import { AppError, toAppError } from '../domain/app-error.ts';
import type { MediaReference } from '../domain/generation-request.ts';
import type { Job } from '../domain/job.ts';
import type { LocalMedia } from '../engines/engine.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { AllowList } from './allow-list.ts';
import { writeDataUriToFile } from './data-uri.ts';
import type { MediaFacts } from './media-inspect.ts';
import { mediaLimitIssues, mediaByteLimits } from './media-limits.ts';
import { safeFetchToFile } from './safe-fetch.ts';

export type MediaKind = 'image' | 'video' | 'audio';

export interface InputPreparerOptions {
  readonly blobStore: BlobStore;
  readonly allow: AllowList;
  readonly allowHttp: boolean;
  readonly getAsset: (id: string) => Promise<Asset | undefined>;
  readonly inspect: (file: string, expectedKind: MediaKind, signal: AbortSignal) => Promise<MediaFacts>;
}

/** The prepared inputs of one job, laid out for the engine. */
export interface PreparedInputs {
  readonly images: readonly LocalMedia[];
  readonly videos: readonly LocalMedia[];
  readonly audios: readonly LocalMedia[];
}

interface Pending {
  readonly reference: MediaReference;
  readonly kind: MediaKind;
  readonly field: string;
  readonly index: number;
}

/** One input that could not be used: why, in a message that starts with its field. */
interface InputProblem {
  readonly field: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
}

/**
 * The "preparing" stage for media inputs: every URL, data: URI and asset:// reference becomes a
 * local file, checked by its bytes and ffprobe against the input limits, before any engine runs.
 *
 * A fetched URL is kept in the BlobStore under the job (`inputs/<job>/…`), so a retried attempt
 * reuses it instead of fetching again; data: URIs and assets are already stored. Every broken rule
 * of every input is reported at once, each named by the field the client used.
 *
 * The error carries the code of the first problem (`input_forbidden` for a private address,
 * `input_unreachable` for a host that did not answer, `input_rejected` for a file that broke a
 * rule) and is retryable only when every problem is: a retry cannot cure a refused input.
 */
export class InputPreparer {
  private readonly options: InputPreparerOptions;

  constructor(options: InputPreparerOptions) {
    this.options = options;
  }

  async prepare(job: Job, workdir: string, signal: AbortSignal): Promise<PreparedInputs> {
    const pending: Pending[] = [
      ...listed(job.request.images, 'image', 'images'),
      ...listed(job.request.videos, 'video', 'videos'),
      ...listed(job.request.audios, 'audio', 'audios'),
    ];
    if (pending.length === 0) return { images: [], videos: [], audios: [] };
    const folder = path.join(workdir, 'inputs');
    await mkdir(folder, { recursive: true });

    const prepared: { item: Pending; file: string; facts: MediaFacts }[] = [];
    const problems: InputProblem[] = [];
    for (const item of pending) {
      try {
        const file = await this.localCopy(job, item, folder, signal);
        prepared.push({ item, file, facts: await this.options.inspect(file, item.kind, signal) });
      } catch (error) {
        if (signal.aborted) throw error;
        const failure = toAppError(error);
        problems.push({
          field: item.field,
          code: failure.code,
          message: `${item.field}: ${failure.message}`,
          retryable: failure.retryable,
        });
      }
    }
    const issues = mediaLimitIssues(
      prepared.map((entry) => ({ field: entry.item.field, facts: entry.facts })),
    );
    for (const issue of issues) {
      problems.push({ field: issue.field, code: 'input_rejected', message: issue.message, retryable: false });
    }
    const first = problems[0];
    if (first !== undefined) {
      throw new AppError(first.code, problems.map((problem) => problem.message).join('; '), {
        field: first.field,
        retryable: problems.every((problem) => problem.retryable),
      });
    }
    const local = (kind: MediaKind) =>
      prepared
        .filter((entry) => entry.item.kind === kind)
        .map((entry): LocalMedia => ({
          path: entry.file,
          kind,
          ...(entry.item.reference.role === undefined ? {} : { role: entry.item.reference.role }),
          ...(entry.facts.width === undefined ? {} : { width: entry.facts.width }),
          ...(entry.facts.height === undefined ? {} : { height: entry.facts.height }),
          ...(entry.facts.durationSeconds === undefined
            ? {}
            : { durationSeconds: entry.facts.durationSeconds }),
        }));
    return { images: local('image'), videos: local('video'), audios: local('audio') };
  }

  /** A local file with the input's bytes: from the job's stored copy, an asset, a data: URI or the URL. */
  private async localCopy(job: Job, item: Pending, folder: string, signal: AbortSignal): Promise<string> {
    const file = path.join(folder, `${item.kind}-${item.index}`);
    const source = item.reference.source;
    const maxBytes = mediaByteLimits[item.kind];
    if (source.startsWith('data:')) {
      await writeDataUriToFile(source, file, maxBytes);
      return file;
    }
    if (source.startsWith('asset://')) {
      const asset = await this.options.getAsset(source.slice('asset://'.length));
      if (asset === undefined || asset.ownerKeyId !== job.ownerKeyId) {
        throw new AppError('input_rejected', `asset ${source} not found`);
      }
      await this.download(asset.blobKey, file);
      return file;
    }
    const storedKey = storedInputKey(job.id, item.kind, item.index);
    if ((await this.options.blobStore.stat(storedKey)) !== undefined) {
      await this.download(storedKey, file);
      return file;
    }
    await safeFetchToFile(source, file, {
      allow: this.options.allow,
      allowHttp: this.options.allowHttp,
      maxBytes,
      signal,
    });
    await this.options.blobStore.put(storedKey, { path: file }, 'application/octet-stream');
    return file;
  }

  private async download(key: string, file: string): Promise<void> {
    const read = await this.options.blobStore.get(key);
    if (read === undefined) throw new AppError('input_rejected', 'the stored input is gone');
    await pipeline(read.stream, createWriteStream(file));
  }
}

/**
 * Where a fetched URL input of a job is kept, so that a retried attempt does not fetch it again
 * (and the retention sweep knows what to delete).
 */
export function storedInputKey(jobId: string, kind: MediaKind, index: number): string {
  return `inputs/${jobId}/${kind}-${index}`;
}

function listed(references: readonly MediaReference[], kind: MediaKind, name: string): Pending[] {
  return references.map((reference, index) => ({
    reference,
    kind,
    index,
    field: reference.field ?? `${name}[${index}]`,
  }));
}
