import { z } from 'zod';
import type { ValidatedInput } from '../../../catalog/input-validator.ts';
import { formatPath, validateInput, zodFromJsonSchema } from '../../../catalog/input-validator.ts';
import type { JsonObjectSchema, JsonSchemaProperty } from '../../../catalog/json-schema.ts';
import { secondsRange } from '../../../catalog/model-spec.ts';
import type { FieldIssue } from '../../../domain/app-error.ts';
import { AppError } from '../../../domain/app-error.ts';
import { callbackUrlIssue } from '../../request-extras.ts';

/**
 * The Runflow wire schemas (shared/reference/dialects.md §2, seed 003): the create-run body
 * `{input, callback_url, metadata, client_ref}` and the model input schema. Runflow lists one model
 * per mode; the text-to-video input is the seed's, the image-to-video one adds Runflow's published
 * `image_url` / `end_image_url`, and reference-to-video adds reference URL lists.
 */

export type RunflowMode = 'text-to-video' | 'image-to-video' | 'reference-to-video';

/** The mode a Runflow model id names by its last path segment (text-to-video when none). */
export function runflowMode(modelPath: string): RunflowMode {
  if (modelPath.endsWith('/image-to-video')) return 'image-to-video';
  if (modelPath.endsWith('/reference-to-video')) return 'reference-to-video';
  return 'text-to-video';
}

/** Seed 003's aspect ratios; `auto` is Seedance's `adaptive`. */
export const runflowAspectRatios = ['auto', '21:9', '16:9', '4:3', '1:1', '3:4', '9:16'] as const;
/** Seed 003's durations: strings, `auto` or 4…15. */
export const runflowDurations = ['auto', ...secondsRange(4, 15).map(String)] as const;
export const runflowResolutions = ['480p', '720p'] as const;

const textProperties: Record<string, JsonSchemaProperty> = {
  prompt: { type: 'string', description: 'The text prompt used to generate the video' },
  aspect_ratio: {
    type: 'string',
    enum: runflowAspectRatios,
    description: 'The aspect ratio of the generated video.',
  },
  duration: {
    type: 'string',
    enum: runflowDurations,
    description: 'Duration of the video in seconds. Supports 4 to 15 seconds, or auto.',
  },
  resolution: {
    type: 'string',
    enum: runflowResolutions,
    description: 'Video resolution - 480p for faster generation, 720p for balance.',
  },
  generate_audio: { type: 'boolean', description: 'Whether to generate synchronized audio for the video.' },
  seed: { type: 'integer', description: 'Random seed for reproducibility.' },
  end_user_id: { type: 'string', description: 'The unique user ID of the end user.' },
};

const imageUrl = (description: string): JsonSchemaProperty => ({
  type: 'string',
  format: 'image_uri',
  description,
});
const urlList = (format: string, maxItems: number, description: string): JsonSchemaProperty => ({
  type: 'array',
  items: { type: 'string', format },
  maxItems,
  description,
});

/** The model input schema Runflow publishes for a mode (JSON Schema, also used for /docs). */
export function runflowInputSchema(mode: RunflowMode): JsonObjectSchema {
  switch (mode) {
    case 'text-to-video':
      return { type: 'object', required: ['prompt'], properties: textProperties };
    case 'image-to-video':
      return {
        type: 'object',
        required: ['image_url', 'prompt'],
        properties: {
          image_url: imageUrl('The URL of the starting frame image to animate.'),
          end_image_url: imageUrl('The URL of the image to use as the last frame of the video.'),
          ...textProperties,
        },
      };
    case 'reference-to-video':
      return {
        type: 'object',
        required: ['prompt'],
        properties: {
          ...textProperties,
          image_urls: urlList('image_uri', 9, 'Reference images (0–9).'),
          video_urls: urlList('video_uri', 3, 'Reference videos (0–3), 2–15 s each.'),
          audio_urls: urlList(
            'audio_uri',
            3,
            'Reference audio (0–3), 2–15 s each; never the only reference.',
          ),
        },
      };
  }
}

/** The create-run body after validation; `input` is exactly what the client sent (no defaults). */
export type RunflowCreateBody = {
  readonly input: ValidatedInput;
  readonly callback_url?: string | null | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | null | undefined;
  readonly client_ref?: string | null | undefined;
};

const createBodySchema = z.strictObject({
  input: z.record(z.string(), z.unknown()),
  callback_url: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  client_ref: z.string().max(255).nullable().optional(),
});

const createFields = ['input', 'callback_url', 'metadata', 'client_ref'] as const;

const expectedTypes: Readonly<Record<string, string>> = {
  input: 'an object',
  callback_url: 'a string or null',
  metadata: 'an object or null',
  client_ref: 'a string or null',
  reason: 'a string or null',
};

/** Compiled once per mode: validating an input is on every create's path. */
const inputValidators = new Map(
  (['text-to-video', 'image-to-video', 'reference-to-video'] as const).map((mode) => {
    const schema = runflowInputSchema(mode);
    return [mode, { schema, validator: zodFromJsonSchema(schema) }] as const;
  }),
);

/**
 * Validates a create-run body for a mode. Every issue of the body and of its input is reported at
 * once, input fields as `input.<name>`; unknown fields at either level are refused by name.
 */
export function parseCreateBody(body: unknown, mode: RunflowMode): RunflowCreateBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw AppError.validation([
      {
        field: 'body',
        rule: 'type',
        message: 'the request body must be a JSON object with an "input" object',
      },
    ]);
  }
  const issues: FieldIssue[] = [];
  const parsed = createBodySchema.safeParse(body);
  if (!parsed.success)
    issues.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, body, createFields)));

  const rawInput = (body as Record<string, unknown>)['input'];
  let input: ValidatedInput | undefined;
  if (typeof rawInput === 'object' && rawInput !== null && !Array.isArray(rawInput)) {
    const { schema, validator } = inputValidators.get(mode) ?? missingSchema(mode);
    try {
      input = validateInput(validator, schema, rawInput, 'input.');
      issues.push(...mediaRuleIssues(mode, input));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      issues.push(...error.issues);
    }
  }
  const callbackUrl = (body as Record<string, unknown>)['callback_url'];
  if (typeof callbackUrl === 'string') {
    const issue = callbackUrlIssue(callbackUrl, 'callback_url');
    if (issue !== undefined) issues.push(issue);
  }
  if (issues.length > 0 || !parsed.success || input === undefined) throw AppError.validation(issues);
  return { ...parsed.data, input };
}

/** Seedance's rule for reference mode: audio never alone, and something to refer to. */
function mediaRuleIssues(mode: RunflowMode, input: ValidatedInput): FieldIssue[] {
  if (mode !== 'reference-to-video') return [];
  const count = (field: string) => {
    const value = input[field];
    return Array.isArray(value) ? value.length : 0;
  };
  if (count('image_urls') + count('video_urls') > 0) return [];
  return [
    {
      field: 'input.image_urls',
      // The same rule name as every other dialect's (generation-mode.ts).
      rule: count('audio_urls') > 0 ? 'audio_only' : 'required',
      message:
        count('audio_urls') > 0
          ? 'input.audio_urls cannot be the only reference: add input.image_urls or input.video_urls'
          : 'reference-to-video needs at least one of input.image_urls or input.video_urls',
    },
  ];
}

/** The admin cancellation body: `{reason?: string (3–500) | null}`, or no body at all. */
export function parseCancelBody(body: unknown): { readonly reason: string | null } {
  if (body === undefined || body === null) return { reason: null };
  const parsed = z.strictObject({ reason: z.string().min(3).max(500).nullable().optional() }).safeParse(body);
  if (parsed.success) return { reason: parsed.data.reason ?? null };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw AppError.validation([
      { field: 'body', rule: 'type', message: 'the request body must be a JSON object' },
    ]);
  }
  throw AppError.validation(parsed.error.issues.flatMap((issue) => describeIssue(issue, body, ['reason'])));
}

/** Body-level zod issues as FieldIssues named like the wire fields. */
function describeIssue(issue: z.core.$ZodIssue, body: object, known: readonly string[]): FieldIssue[] {
  const field = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        field: key,
        rule: 'unknown_field',
        message: `${key} is not a field of the request body (expected ${known.join(', ')})`,
      }));
    case 'invalid_type': {
      const present = field in body && (body as Record<string, unknown>)[field] !== undefined;
      return present
        ? [{ field, rule: 'type', message: `${field} must be ${expectedTypes[field] ?? issue.expected}` }]
        : [{ field, rule: 'required', message: `${field} is required` }];
    }
    case 'too_big':
      return [
        {
          field,
          rule: 'max_length',
          message: `${field} must be at most ${String(issue.maximum)} characters`,
        },
      ];
    case 'too_small':
      return [
        {
          field,
          rule: 'min_length',
          message: `${field} must be at least ${String(issue.minimum)} characters`,
        },
      ];
    default:
      return [{ field, rule: issue.code, message: `${field}: ${issue.message}` }];
  }
}

function missingSchema(mode: string): never {
  throw new Error(`no input schema for mode ${String(mode)}`);
}
