import { createHash } from 'node:crypto';
import { z } from 'zod';
import { capabilityIssues } from '../../../catalog/check-capabilities.ts';
import type { ModelCatalog } from '../../../catalog/model-catalog.ts';
import type { ModelSpec } from '../../../catalog/model-spec.ts';
import type { FieldIssue } from '../../../domain/app-error.ts';
import { AppError } from '../../../domain/app-error.ts';
import { resolveGenerationMedia } from '../../../domain/generation-mode.ts';
import type { GenerationRequest, MediaReference } from '../../../domain/generation-request.ts';
import { isPlainObject, notAnObjectIssue, zodFieldIssues } from './openai-field-issues.ts';
import type { VideoGeometry } from './openai-video-size.ts';
import { defaultVideoSize, resolveVideoSize } from './openai-video-size.ts';

/**
 * `POST /v1/videos` → GenerationRequest (reference §5.2). Pure: the body arrives already parsed
 * (JSON, or multipart fields with an uploaded file described by `UploadedReference`).
 */

/** OpenAI's default model; the catalog maps it to Seedance 2.0 Fast. */
export const defaultVideoModel = 'sora-2';
export const defaultVideoSeconds = '4';
/** Reference images above this are refused (the Seedance input limit, DESIGN.md §6). */
export const referenceImageLimitBytes = 30 * 1024 * 1024;
/** OpenAI's own bound on `input_reference.image_url` (a URL or a data: URI). */
const imageUrlMaxLength = 20 * 1024 * 1024;

/** A multipart `input_reference` file, as read (and, when small enough, kept) by the route. */
export interface UploadedReference {
  readonly filename: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The image type its bytes show (`image/png`…), undefined when they are no supported image. */
  readonly imageType: string | undefined;
  /** The bytes, unless the file was larger than `referenceImageLimitBytes`. */
  readonly data: Buffer | undefined;
}

export interface CreateVideoTranslation {
  readonly spec: ModelSpec;
  readonly request: GenerationRequest;
  /** What the client asked for, defaults applied: stored as the job's input and hashed for idempotency. */
  readonly input: Readonly<Record<string, unknown>>;
}

export interface CreateVideoOptions {
  readonly catalog: ModelCatalog;
  readonly drawSeed: () => number;
  readonly upload?: UploadedReference | undefined;
}

const imageReferenceSchema = z.strictObject(
  {
    image_url: z
      .string({ error: 'input_reference.image_url must be a string' })
      .max(imageUrlMaxLength, { error: 'input_reference.image_url must be at most 20 MiB long' })
      .optional(),
    file_id: z.string({ error: 'input_reference.file_id must be a string' }).optional(),
  },
  { error: 'input_reference must be an object with image_url or file_id, or an uploaded image file' },
);

const secondsMessage = 'seconds must be a whole number of seconds as a string, such as "4", "8" or "12"';

const createBodySchema = z.strictObject({
  prompt: z
    .string({ error: 'prompt must be a string' })
    .min(1, { error: 'prompt must not be empty' })
    .max(32_000, { error: 'prompt must be at most 32000 characters' }),
  model: z
    .string({ error: 'model must be a string' })
    .min(1, { error: 'model must not be empty' })
    .optional(),
  // OpenAI sends a string; a JSON client writing a number means the same thing.
  seconds: z
    .union(
      [
        z.string().regex(/^\d{1,4}$/, { error: secondsMessage }),
        z
          .number()
          .int({ error: secondsMessage })
          .min(0, { error: secondsMessage })
          .max(9999, { error: secondsMessage }),
      ],
      { error: secondsMessage },
    )
    .optional(),
  size: z
    .string({ error: 'size must be a string' })
    .regex(/^\d{1,5}x\d{1,5}$/, { error: 'size must be "WIDTHxHEIGHT" in pixels, such as "1280x720"' })
    .optional(),
  input_reference: imageReferenceSchema.optional(),
});

type CreateBody = z.infer<typeof createBodySchema>;

/** Validates and translates a create body; throws AppError('validation_failed') naming every issue. */
export function translateCreateRequest(body: unknown, options: CreateVideoOptions): CreateVideoTranslation {
  if (!isPlainObject(body)) throw AppError.validation([notAnObjectIssue()]);
  const parsed = createBodySchema.safeParse(body);
  const issues: FieldIssue[] = parsed.success ? [] : zodFieldIssues(parsed.error, body);
  // Fields whose shape is right are still checked against the model, so that one answer names
  // every problem; a field with a shape issue is left at its default for those checks.
  const wire = parsed.success ? parsed.data : wellFormedFields(body, issues);

  const modelName = wire.model ?? defaultVideoModel;
  const spec = options.catalog.find(modelName)?.spec;
  if (spec === undefined) issues.push(unknownModelIssue(options.catalog, modelName));

  const seconds = String(wire.seconds ?? defaultVideoSeconds);
  const size = wire.size ?? defaultVideoSize;
  let geometry: VideoGeometry | undefined;
  if (spec !== undefined) {
    const resolved = resolveVideoSize(spec, size);
    if ('field' in resolved) issues.push(resolved);
    else geometry = resolved;
  }

  const reference = referenceOf(wire, options.upload);
  issues.push(...reference.issues);

  if (spec === undefined) throw AppError.validation(sortedByField(issues));
  const prompt = wire.prompt ?? '';
  const media = resolveGenerationMedia({ images: reference.images, videos: [], audios: [] }, prompt);
  const request: GenerationRequest = {
    model: spec.id,
    prompt,
    // Only used to check the other fields when the size was refused; never submitted then.
    resolution: geometry?.resolution ?? spec.capabilities.resolutions[0] ?? '720p',
    aspectRatio: geometry?.aspectRatio ?? '16:9',
    durationSeconds: Number(seconds),
    // Sora videos have sound; a model without audio gives a silent video rather than an error.
    generateAudio: spec.capabilities.audio,
    seed: options.drawSeed(),
    webSearch: false,
    returnLastFrame: false,
    watermark: false,
    ...media,
  };
  const names = { resolution: 'size', aspectRatio: 'size', duration: 'seconds', audio: 'model' };
  for (const issue of capabilityIssues(spec, request, names)) {
    if (!issues.some((known) => sameField(known.field, issue.field))) issues.push(issue);
  }
  if (issues.length > 0) throw AppError.validation(sortedByField(issues));

  const input = {
    prompt: request.prompt,
    model: modelName,
    seconds,
    size,
    ...(reference.input === undefined ? {} : { input_reference: reference.input }),
  };
  return { spec, request, input };
}

/** The body's fields that have no shape issue (the schema has no transforms, so they are as given). */
function wellFormedFields(body: Record<string, unknown>, issues: readonly FieldIssue[]): Partial<CreateBody> {
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(createBodySchema.shape)) {
    if (body[name] !== undefined && !issues.some((issue) => sameField(name, issue.field)))
      fields[name] = body[name];
  }
  return fields as Partial<CreateBody>;
}

/** Whether `field` is `name` or a path inside it (`input_reference.image_url`). */
function sameField(name: string, field: string): boolean {
  return field === name || field.startsWith(`${name}.`) || field.startsWith(`${name}[`);
}

/** The models a client may name here: OpenAI's names first, then every catalog id. */
export function acceptedModelNames(catalog: ModelCatalog): string[] {
  const models = catalog.list();
  return [...models.flatMap((model) => model.spec.aliases.openai), ...models.map((model) => model.spec.id)];
}

function unknownModelIssue(catalog: ModelCatalog, name: string): FieldIssue {
  return {
    field: 'model',
    rule: 'unknown_model',
    message: `model must be one of ${acceptedModelNames(catalog).join(', ')} (or another id of a catalog model), got ${JSON.stringify(name)}`,
  };
}

interface ReferenceTranslation {
  readonly images: MediaReference[];
  /** How the job's input records the reference (never the bytes themselves). */
  readonly input: Readonly<Record<string, unknown>> | undefined;
  readonly issues: FieldIssue[];
}

/**
 * `input_reference` is Sora's first frame. An upload becomes a data: URI and a URL is passed on as
 * given, so the media-input stage sees them like any other dialect's images; each is named by the
 * field the client used (`input_reference` for a file, `input_reference.image_url` for a URL).
 */
function referenceOf(wire: Partial<CreateBody>, upload: UploadedReference | undefined): ReferenceTranslation {
  const field = 'input_reference';
  const given = wire.input_reference;
  if (upload !== undefined && given !== undefined) {
    return refused(field, 'input_reference was given both as a file and as fields; send one of them');
  }
  if (upload !== undefined) {
    const input = {
      upload: {
        filename: upload.filename,
        bytes: upload.bytes,
        sha256: upload.sha256,
        type: upload.imageType ?? null,
      },
    };
    if (upload.imageType === undefined) {
      return refused(
        field,
        `input_reference must be an image (JPEG, PNG, WebP, BMP, TIFF or GIF); the uploaded file ${JSON.stringify(upload.filename)} is not one`,
      );
    }
    if (upload.data === undefined || upload.bytes > referenceImageLimitBytes) {
      return refused(
        field,
        `input_reference must be smaller than 30 MB; the uploaded file has ${upload.bytes} bytes`,
      );
    }
    const source = `data:${upload.imageType};base64,${upload.data.toString('base64')}`;
    return { images: [{ source, field, role: 'first_frame' }], input, issues: [] };
  }
  if (given === undefined) return { images: [], input: undefined, issues: [] };

  const { image_url: imageUrl, file_id: fileId } = given;
  if ((imageUrl === undefined) === (fileId === undefined)) {
    return refused(field, 'input_reference must have exactly one of image_url or file_id');
  }
  if (fileId !== undefined) {
    return refused(
      'input_reference.file_id',
      'input_reference.file_id: this server has no Files API, so file ids cannot be resolved; give input_reference.image_url (an https URL or a data: URI) or upload the image as a file',
    );
  }
  const url = imageUrl ?? '';
  if (!/^https?:\/\/[^\s]+$/i.test(url) && !/^data:image\/[a-z0-9.+-]+;base64,/i.test(url)) {
    return refused(
      'input_reference.image_url',
      'input_reference.image_url must be an http(s) URL or a data:image/…;base64, URI',
    );
  }
  return {
    images: [{ source: url, field: 'input_reference.image_url', role: 'first_frame' }],
    input: { image_url: recordedUrl(url) },
    issues: [],
  };
}

/** A data: URI is recorded by its type, length and digest, so job inputs stay small. */
function recordedUrl(url: string): string {
  if (!url.startsWith('data:')) return url;
  const type = url.slice(5, url.indexOf(';'));
  const digest = createHash('sha256').update(url).digest('hex');
  return `data:${type};base64,… (${url.length} characters, sha256 ${digest})`;
}

function refused(field: string, message: string): ReferenceTranslation {
  return { images: [], input: undefined, issues: [{ field, rule: 'invalid', message }] };
}

/** Issues in the order of the wire schema, so `param` names the first field a client would fix. */
function sortedByField(issues: readonly FieldIssue[]): FieldIssue[] {
  const order = ['prompt', 'model', 'seconds', 'size', 'input_reference'];
  const rank = (issue: FieldIssue) => {
    const index = order.findIndex((name) => issue.field === name || issue.field.startsWith(`${name}.`));
    return index === -1 ? order.length : index;
  };
  return [...issues].sort((a, b) => rank(a) - rank(b));
}
