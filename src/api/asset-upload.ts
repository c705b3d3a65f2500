import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FieldIssue } from '../domain/app-error.ts';
import { AppError } from '../domain/app-error.ts';
import { assetKinds } from '../domain/asset.ts';
import type { AssetKind } from '../domain/asset.ts';
import { mediaByteLimits, mediaLimits } from '../inputs/media-limits.ts';
import {
  acceptedFormats,
  describeUnrecognizedMedia,
  mediaFormats,
  sniffHeaderBytes,
  sniffMediaType,
} from '../inputs/media-sniff.ts';

/**
 * Receiving `POST /v1/assets`: the one file part is streamed to a scratch file, never held in
 * memory, and its size is checked on every chunk, so an oversized upload stops at the limit instead
 * of filling the disk first.
 */

/** The form field that carries the media. */
export const assetFileField = 'file';
/** The optional form field that insists on a kind. */
export const assetKindField = 'kind';

/** The largest upload of any kind; the multipart parser's own cap sits one byte above it. */
export const largestAssetBytes = Math.max(...Object.values(mediaByteLimits));

/** Limits for `@fastify/multipart` in the assets scope. */
export const assetMultipartLimits = {
  // A backstop only: the meter below refuses the first byte past the kind's limit.
  fileSize: largestAssetBytes + 1,
  files: 1,
  fieldSize: 1024,
  fields: 4,
  parts: 5,
} as const;

/** An upload on disk, and what its form said and its first bytes showed. */
export interface ReceivedUpload {
  /** The scratch file; the caller removes it. */
  readonly file: string;
  readonly bytes: number;
  /** The kind the file must be: the `kind` field's, else the one its first bytes show. */
  readonly kind: AssetKind;
}

/**
 * Reads the form of `POST /v1/assets` into a scratch file under `scratchDir`.
 *
 * @throws AppError `payload_too_large` (naming the limit) as soon as the file passes its kind's
 *   limit, `input_rejected` when its first bytes are no accepted media and no kind was given, and
 *   `validation_failed` for a missing file, an unknown field or a bad kind. No file is left behind.
 */
export async function receiveUpload(request: FastifyRequest, scratchDir: string): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw new AppError(
      'invalid_json',
      `send the media as multipart/form-data, in a file part named "${assetFileField}"`,
      { status: 415 },
    );
  }
  let givenKind: AssetKind | undefined;
  let stored: { file: string; meter: UploadMeter } | undefined;
  const issues: FieldIssue[] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== assetFileField) {
          part.file.resume();
          issues.push(unknownField(part.fieldname));
          continue;
        }
        stored = await streamToScratch(part, givenKind, scratchDir);
        continue;
      }
      if (part.fieldname !== assetKindField) {
        issues.push(unknownField(part.fieldname));
      } else if (givenKind !== undefined) {
        issues.push({ field: assetKindField, rule: 'repeated', message: 'kind was given more than once' });
      } else if (typeof part.value === 'string' && isAssetKind(part.value)) {
        givenKind = part.value;
      } else {
        const message = `kind must be one of ${assetKinds.join(', ')}`;
        issues.push({ field: assetKindField, rule: 'enum', message });
      }
    }
    if (stored === undefined) {
      const message = `${assetFileField} is required: send the media as a multipart/form-data file part named "${assetFileField}"`;
      issues.push({ field: assetFileField, rule: 'required', message });
    }
    if (issues.length > 0 || stored === undefined) throw AppError.validation(issues);
    const kind = givenKind ?? stored.meter.meteredKind();
    // A kind given after the file part is known only now; the meter applied the largest limit.
    if (stored.meter.bytes > mediaByteLimits[kind]) throw tooLarge(kind);
    return { file: stored.file, bytes: stored.meter.bytes, kind };
  } catch (error) {
    if (stored !== undefined) await rm(stored.file, { force: true });
    throw multipartError(error);
  }
}

async function streamToScratch(
  part: MultipartFile,
  givenKind: AssetKind | undefined,
  scratchDir: string,
): Promise<{ file: string; meter: UploadMeter }> {
  await mkdir(scratchDir, { recursive: true });
  const file = path.join(scratchDir, `upload-${randomUUID()}`);
  const meter = new UploadMeter(givenKind);
  try {
    await pipeline(part.file, meter, createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return { file, meter };
}

/**
 * Counts the bytes that pass and refuses the first one past the limit. Without a given kind the
 * limit is the largest until the first bytes are in; then it is the limit of the kind they show,
 * and bytes that are no accepted media are refused at once.
 */
class UploadMeter extends Transform {
  bytes = 0;
  #limit: number;
  /** The kind whose limit applies: the given one, else the sniffed one once the first bytes are in. */
  #kind: AssetKind | undefined;
  #head: Buffer[] = [];
  #headBytes = 0;

  constructor(givenKind: AssetKind | undefined) {
    super();
    this.#kind = givenKind;
    this.#limit = givenKind === undefined ? largestAssetBytes : mediaByteLimits[givenKind];
    // With a kind given, inspection checks the bytes against it; the meter only counts.
    if (givenKind !== undefined) this.#headBytes = Number.POSITIVE_INFINITY;
  }

  /** The kind whose limit was applied: the one given before the file, else the one it showed. */
  meteredKind(): AssetKind {
    if (this.#kind === undefined) throw new Error('the upload meter has not seen the file');
    return this.#kind;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    try {
      if (this.#headBytes < sniffHeaderBytes) {
        this.#head.push(chunk);
        this.#headBytes += chunk.length;
        if (this.#headBytes >= sniffHeaderBytes) this.#sniff();
      }
      if (this.bytes > this.#limit) throw tooLarge(this.#kind);
      callback(null, chunk);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.#headBytes < sniffHeaderBytes) this.#sniff();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  #sniff(): void {
    const head = Buffer.concat(this.#head).subarray(0, sniffHeaderBytes);
    this.#head = [];
    this.#headBytes = Number.POSITIVE_INFINITY;
    const sniffed = sniffMediaType(head);
    if (sniffed === undefined) {
      const message = `${assetFileField} is ${describeUnrecognizedMedia(head)}, not ${acceptedMedia()}`;
      throw new AppError('input_rejected', message, { field: assetFileField });
    }
    this.#kind = sniffed.kind;
    this.#limit = mediaByteLimits[sniffed.kind];
  }
}

/** "an image (JPEG, PNG, …), a video (MP4, MOV) or an audio file (WAV, MP3)". */
function acceptedMedia(): string {
  const labels = (kind: AssetKind) =>
    acceptedFormats[kind].map((format) => mediaFormats[format].label).join(', ');
  return `an image (${labels('image')}), a video (${labels('video')}) or an audio file (${labels('audio')})`;
}

function isAssetKind(value: string): value is AssetKind {
  return (assetKinds as readonly string[]).includes(value);
}

function unknownField(name: string): FieldIssue {
  const message = `unknown field ${name}: the form takes a file part "${assetFileField}" and an optional "${assetKindField}"`;
  return { field: name, rule: 'unknown_field', message };
}

const limitNames: Readonly<Record<AssetKind, string>> = {
  image: 'an image',
  video: 'a video',
  audio: 'an audio file',
};

/** Names the limit in the words the input limits are documented with ("under 30 MB"). */
function tooLarge(kind: AssetKind | undefined): AppError {
  const limit =
    kind === undefined ? `at most ${largestAssetBytes / (1024 * 1024)} MB` : mediaLimits[kind].sizeLimitText;
  const message = `${assetFileField} is too large: ${kind === undefined ? 'any upload' : limitNames[kind]} must be ${limit}`;
  return new AppError('payload_too_large', message, { field: assetFileField });
}

/** The multipart plugin's and busboy's errors, as client errors that say what was wrong. */
function multipartError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(undefined);
    case 'FST_FILES_LIMIT':
      return AppError.validation([
        {
          field: assetFileField,
          rule: 'max_items',
          message: `upload one file per request, as ${assetFileField}`,
        },
      ]);
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return AppError.validation([
        {
          field: 'body',
          rule: 'max_items',
          message: `the form has more than ${assetMultipartLimits.fields} fields`,
        },
      ]);
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return new AppError('invalid_json', `the multipart/form-data body could not be read: ${message}`, {
        status: 400,
      });
    }
  }
}
