import { createHash } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../../domain/app-error.ts';
import { AppError } from '../../../domain/app-error.ts';
import type { UploadedReference } from './openai-create-request.ts';
import { referenceImageLimitBytes } from './openai-create-request.ts';

/**
 * Reads a `multipart/form-data` body the way OpenAI's SDK writes it: text fields (numbers as
 * strings, objects as `input_reference[image_url]`) and at most one file, `input_reference`.
 * The file is hashed and type-checked while it streams; its bytes are kept only up to the image
 * limit, so an oversized upload is drained, never held in memory.
 */

/** Limits for `@fastify/multipart` in this dialect's scope. */
export const multipartLimits = {
  fileSize: 64 * 1024 * 1024,
  files: 1,
  // A data: URI in `input_reference[image_url]` may be 20 MiB (OpenAI's bound).
  fieldSize: 21 * 1024 * 1024,
  fields: 20,
  parts: 21,
} as const;

export interface MultipartBody {
  /** The text fields, with bracketed names nested (`a[b]` → `{a: {b}}`). */
  readonly body: Record<string, unknown>;
  readonly upload: UploadedReference | undefined;
  /** Problems with the form itself (unknown file parts, repeated or truncated fields). */
  readonly issues: readonly FieldIssue[];
}

const fileField = 'input_reference';
const nestedName = /^([A-Za-z_][A-Za-z0-9_]*)\[([A-Za-z_][A-Za-z0-9_]*)\]$/;

export async function readMultipartBody(request: FastifyRequest): Promise<MultipartBody> {
  const body: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  let upload: UploadedReference | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname === fileField) {
          upload = await readUpload(part);
        } else {
          part.file.resume();
          issues.push({
            field: part.fieldname,
            rule: 'unknown_field',
            message: `unknown parameter: ${part.fieldname} (only ${fileField} may be a file)`,
          });
        }
        continue;
      }
      if (part.valueTruncated) {
        issues.push({ field: part.fieldname, rule: 'max_length', message: `${part.fieldname} is too long` });
        continue;
      }
      const issue = setField(body, part.fieldname, fieldValue(part.fieldname, part.value));
      if (issue !== undefined) issues.push(issue);
    }
  } catch (error) {
    throw multipartError(error);
  }
  return { body, upload, issues };
}

/** Streams the upload through a hash, keeping the bytes only while they fit the image limit. */
async function readUpload(part: MultipartFile): Promise<UploadedReference> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  let head = Buffer.alloc(0);
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    hash.update(chunk);
    if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16)]);
    if (bytes <= referenceImageLimitBytes) chunks.push(chunk);
    else chunks.length = 0;
  }
  if (part.file.truncated) throw fileTooLarge();
  return {
    filename: part.filename,
    bytes,
    sha256: hash.digest('hex'),
    imageType: imageTypeOf(head),
    data: bytes <= referenceImageLimitBytes ? Buffer.concat(chunks) : undefined,
  };
}

/**
 * The image type its first bytes show (the formats Seedance accepts), never the client's
 * Content-Type or file name.
 */
export function imageTypeOf(head: Buffer): string | undefined {
  const starts = (bytes: readonly number[], offset = 0) =>
    bytes.every((byte, index) => head[offset + index] === byte);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (starts([0x42, 0x4d])) return 'image/bmp';
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  return undefined;
}

/** A JSON-typed part arrives parsed; a text part holding a JSON object is read as one too. */
function fieldValue(name: string, value: unknown): unknown {
  if (name !== fileField || typeof value !== 'string' || !value.trimStart().startsWith('{')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function setField(body: Record<string, unknown>, name: string, value: unknown): FieldIssue | undefined {
  const nested = nestedName.exec(name);
  const outer = nested?.[1] ?? name;
  const inner = nested?.[2];
  const repeated = { field: name, rule: 'repeated', message: `${name} was given more than once` };
  if (inner === undefined) {
    if (Object.hasOwn(body, outer)) return repeated;
    body[outer] = value;
    return undefined;
  }
  const existing = body[outer];
  if (existing === undefined) {
    body[outer] = { [inner]: value };
    return undefined;
  }
  if (typeof existing !== 'object' || existing === null || Object.hasOwn(existing, inner)) return repeated;
  (existing as Record<string, unknown>)[inner] = value;
  return undefined;
}

function fileTooLarge(): AppError {
  return new AppError(
    'payload_too_large',
    `${fileField} is larger than the ${multipartLimits.fileSize / 1024 / 1024} MB upload limit`,
    { field: fileField },
  );
}

/** The multipart plugin's and busboy's errors, as client errors that say what was wrong. */
function multipartError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return fileTooLarge();
    case 'FST_FILES_LIMIT':
      return AppError.validation([
        { field: fileField, rule: 'max_items', message: `only one file may be uploaded, as ${fileField}` },
      ]);
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return AppError.validation([
        {
          field: 'body',
          rule: 'max_items',
          message: `the form has more than ${multipartLimits.fields} fields`,
        },
      ]);
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new AppError('invalid_json', 'a form field declared as application/json is not valid JSON', {
        status: 400,
      });
    default:
      return new AppError('invalid_json', `the multipart/form-data body could not be read: ${message}`, {
        status: 400,
      });
  }
}
