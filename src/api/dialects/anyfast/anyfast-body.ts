import { z } from 'zod';
import type { FieldIssue } from '../../../domain/app-error.ts';
import { AppError } from '../../../domain/app-error.ts';
import type { Resolution } from '../../../domain/media-facts.ts';
import { nearestAspectRatio, pixelSize, resolutions } from '../../../domain/media-facts.ts';
import type { SeedanceDraft } from '../seedance-content/seedance-request.ts';
import type { SeedanceFieldName, SeedanceFields } from '../seedance-content/seedance-fields.ts';
import {
  parseSeedanceFields,
  parseWith,
  seedanceFieldNames,
  unknownFieldIssues,
} from '../seedance-content/seedance-fields.ts';

/**
 * AnyFast's `POST /v1/video/generations` body (reference §3.1) in both of its forms, merged into
 * one Seedance task:
 * - Ark-style top-level fields (`content`, `ratio`, `duration`, …), as AnyFast's own docs show;
 * - new-api's `TaskSubmitReq` (`prompt`, `images[]`, `size`, `seconds`, and `metadata` — an object
 *   or a JSON string — carrying the Ark fields and `content`).
 * Precedence: top-level Ark fields, then the new-api fields (`seconds`, `size`), then `metadata`,
 * then flags in the prompt text. `prompt` replaces the text items, as new-api's adaptor does.
 */

const newApiFields = [
  'model',
  'prompt',
  'images',
  'image',
  'input_reference',
  'mode',
  'size',
  'seconds',
  'metadata',
];

const newApiShape = {
  prompt: z.string({ error: 'must be a string' }).nullish(),
  images: z
    .array(z.string({ error: 'must be a string (an image URL)' }), {
      error: 'must be an array of image URLs',
    })
    .nullish(),
  image: z.string({ error: 'must be a string (an image URL)' }).nullish(),
  input_reference: z.string({ error: 'must be a string (an image URL)' }).nullish(),
  // new-api's generic task field; Seedance has no modes beyond what content[] says, so it is ignored.
  mode: z.string({ error: 'must be a string' }).nullish(),
  size: z
    .string({ error: 'must be a string such as "1280x720"' })
    .regex(/^\s*[1-9]\d*\s*[x*×]\s*[1-9]\d*\s*$/i, { error: 'must be WIDTHxHEIGHT, such as "1280x720"' })
    .nullish(),
  seconds: z
    .preprocess(
      (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
      z
        .number({ error: 'must be a whole number of seconds, such as "5"' })
        .int({ error: 'must be a whole number of seconds, such as "5"' }),
    )
    .nullish(),
};

/** The body reduced to the model id and a Seedance task, with every issue found on the way. */
export interface AnyFastBody {
  /** The model as the client wrote it, or undefined when missing (then `issues` says so). */
  readonly model: string | undefined;
  readonly draft: Omit<SeedanceDraft, 'requestedModel'>;
  readonly issues: readonly FieldIssue[];
}

/** Parses and merges both forms of the create body; see the module comment for precedence. */
export function parseAnyFastBody(body: unknown): AnyFastBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw AppError.validation([
      { field: 'body', rule: 'type', message: 'the request body must be a JSON object' },
    ]);
  }
  const object = body as Record<string, unknown>;
  const issues: FieldIssue[] = unknownFieldIssues(object, '', newApiFields);

  const model = object['model'];
  if (model === undefined || model === null || model === '') {
    issues.push({ field: 'model', rule: 'required', message: 'model is required (e.g. "seedance-fast")' });
  } else if (typeof model !== 'string') {
    issues.push({ field: 'model', rule: 'type', message: 'model must be a string (a model id)' });
  }

  const top = parseSeedanceFields(object, '');
  issues.push(...top.issues);
  const form: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(newApiShape)) {
    if (!(name in object)) continue;
    const parsed = parseWith(schema as z.ZodType, object[name], name);
    issues.push(...parsed.issues);
    if (parsed.output !== null && parsed.output !== undefined) form[name] = parsed.output;
  }
  const meta = parseMetadata(object['metadata']);
  issues.push(...meta.issues);

  // Field by field: where the value came from decides both precedence and the path in messages.
  const fields: Record<string, unknown> = {};
  const paths: Partial<Record<SeedanceFieldName, string>> = {};
  const take = (name: SeedanceFieldName, value: unknown, path: string) => {
    if (value === undefined || name in fields) return;
    fields[name] = value;
    if (path !== name) paths[name] = path;
  };
  const sized = typeof form['size'] === 'string' ? sizeFields(form['size']) : undefined;
  for (const name of seedanceFieldNames) {
    take(name, top.fields[name], name);
    if (name === 'duration') take(name, form['seconds'], 'seconds');
    if (name === 'resolution') take(name, sized?.resolution, 'size');
    if (name === 'ratio') take(name, sized?.ratio, 'size');
    take(name, meta.fields[name], `metadata.${name}`);
  }

  const extraImages = [
    ...((form['images'] as string[] | undefined) ?? []).map((source, index) => ({
      source,
      path: `images[${index}]`,
    })),
    ...(['image', 'input_reference'] as const)
      .filter((name) => typeof form[name] === 'string' && form[name] !== '')
      .map((name) => ({ source: form[name] as string, path: name })),
  ];
  const prompt = typeof form['prompt'] === 'string' && form['prompt'] !== '' ? form['prompt'] : undefined;
  const contentRefused = issues.some(
    (issue) => issue.field === 'content' || issue.field === 'metadata.content',
  );
  if (fields['content'] === undefined && prompt === undefined && !contentRefused) {
    issues.push({
      field: 'content',
      rule: 'required',
      message:
        'content is required: an array with a text item holding the prompt (or give the prompt as prompt)',
    });
  }
  return {
    model: typeof model === 'string' && model !== '' ? model : undefined,
    draft: {
      fields: fields as SeedanceFields,
      paths,
      ...(prompt === undefined ? {} : { prompt: { text: prompt, path: 'prompt' } }),
      ...(extraImages.length === 0 ? {} : { extraImages }),
    },
    issues,
  };
}

/** `metadata`: an object or a JSON-encoded object (new-api accepts both), holding Ark fields only. */
function parseMetadata(value: unknown): { fields: SeedanceFields; issues: FieldIssue[] } {
  if (value === undefined || value === null || value === '') return { fields: {}, issues: [] };
  let object: unknown = value;
  if (typeof value === 'string') {
    try {
      object = JSON.parse(value);
    } catch {
      return {
        fields: {},
        issues: [
          {
            field: 'metadata',
            rule: 'format',
            message: 'metadata is a string but not valid JSON; send an object',
          },
        ],
      };
    }
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    return {
      fields: {},
      issues: [
        { field: 'metadata', rule: 'type', message: 'metadata must be an object (or a JSON-encoded object)' },
      ],
    };
  }
  const record = object as Record<string, unknown>;
  const parsed = parseSeedanceFields(record, 'metadata.');
  return {
    fields: parsed.fields,
    issues: [...unknownFieldIssues(record, 'metadata.', []), ...parsed.issues],
  };
}

/**
 * new-api's `size` ("1280x720") → resolution and ratio: the ratio nearest the size's shape, and the
 * resolution whose table size at that ratio is nearest in area (exact for every table size).
 */
export function sizeFields(size: string): { resolution: Resolution; ratio: string } {
  const [width = 0, height = 0] = size.split(/[x*×]/i).map((part) => Number(part.trim()));
  const ratio = nearestAspectRatio(width, height);
  const area = width * height;
  let best: Resolution = '720p';
  for (const resolution of resolutions) {
    const candidate = pixelSize(resolution, ratio);
    const bestSize = pixelSize(best, ratio);
    if (
      Math.abs(candidate.width * candidate.height - area) < Math.abs(bestSize.width * bestSize.height - area)
    ) {
      best = resolution;
    }
  }
  return { resolution: best, ratio };
}
