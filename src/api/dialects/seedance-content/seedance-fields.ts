import { z } from 'zod';
import type { FieldIssue } from '../../../domain/app-error.ts';
import { formatPath } from '../../../catalog/input-validator.ts';

/**
 * The top-level fields of a Seedance task as BytePlus ModelArk defines them
 * (shared/reference/dialects.md §4.1). AnyFast forwards the same fields (top level or inside
 * `metadata`), so both dialects parse them with this one shape.
 *
 * Every schema carries its own sentence, so an issue reads "`duration` must be an integer…"
 * instead of zod's generic wording. `null` counts as "not given": clients built on JSON
 * serialisers that keep empty optionals (Go, pydantic without `exclude_none`) send it.
 */

/** Whole numbers; a numeric string ("5") is accepted too, as new-api does for `duration`. */
function integer(description: string) {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z.number({ error: `must be ${description}` }).int({ error: `must be ${description}` }),
  );
}

function boolean() {
  return z.boolean({ error: 'must be true or false' });
}

function text(description: string) {
  return z.string({ error: `must be ${description}` });
}

/** Ark's bounds for `execution_expires_after`, in seconds (1 hour to 72 hours). */
export const executionExpiresBounds = { minimum: 3600, maximum: 259_200, default: 172_800 } as const;

/** Ark's seed range: -1 (random) to 2³² − 1. */
const seedMaximum = 4_294_967_295;

/** The zod schema of each Ark field, all optional. */
export const seedanceFieldShape = {
  content: z.array(z.unknown(), { error: 'must be an array of content items' }).nullish(),
  generate_audio: boolean().nullish(),
  resolution: text('a string such as "720p"').nullish(),
  ratio: text('a string such as "16:9" or "adaptive"').nullish(),
  duration: integer('an integer number of seconds (-1 for automatic)').nullish(),
  frames: z
    .preprocess(
      (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
      z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }),
    )
    .pipe(z.number().min(1, { error: 'must be a positive integer' }))
    .nullish(),
  seed: integer('an integer from -1 to 4294967295')
    .pipe(
      z
        .number()
        .min(-1, { error: 'must be at least -1 (-1 draws a random seed)' })
        .max(seedMaximum, { error: `must be at most ${seedMaximum}` }),
    )
    .nullish(),
  camera_fixed: boolean().nullish(),
  watermark: boolean().nullish(),
  return_last_frame: boolean().nullish(),
  tools: z
    .array(
      z.strictObject(
        { type: z.enum(['web_search'], { error: 'must be "web_search" (the only tool)' }) },
        { error: 'must be an object such as {"type": "web_search"}' },
      ),
      { error: 'must be an array such as [{"type": "web_search"}]' },
    )
    .nullish(),
  callback_url: text('an absolute http(s) URL').nullish(),
  execution_expires_after: integer('an integer number of seconds')
    .pipe(
      z
        .number()
        .min(executionExpiresBounds.minimum, {
          error: `must be at least ${executionExpiresBounds.minimum} seconds (1 hour)`,
        })
        .max(executionExpiresBounds.maximum, {
          error: `must be at most ${executionExpiresBounds.maximum} seconds (72 hours)`,
        }),
    )
    .nullish(),
  service_tier: z.enum(['default', 'flex'], { error: 'must be "default" or "flex"' }).nullish(),
  draft: boolean().nullish(),
  priority: integer('an integer').nullish(),
  safety_identifier: text('a string').max(256, { error: 'must be at most 256 characters' }).nullish(),
  // Sent by the ComfyUI Seedance 2 nodes; only MP4 is produced, and the reference task type is
  // what the content items already say.
  output_format: z.enum(['mp4'], { error: 'must be "mp4" (the only output format)' }).nullish(),
  omni_reference_task_type: z
    .enum(['auto', 'reference', 'edit', 'extend'], { error: 'must be one of auto, reference, edit, extend' })
    .nullish(),
};

/** The Ark fields after parsing, `null`s already dropped. */
export type SeedanceFields = {
  readonly [Name in keyof typeof seedanceFieldShape]?: Exclude<
    z.output<(typeof seedanceFieldShape)[Name]>,
    null | undefined
  >;
};

/** The name of an Ark field. */
export type SeedanceFieldName = keyof typeof seedanceFieldShape;

/** Every Ark field name, for dialects that merge the fields from several places. */
export const seedanceFieldNames = Object.keys(seedanceFieldShape) as SeedanceFieldName[];

/**
 * Parses the Ark fields found in `object` (ModelArk's body, AnyFast's body or its `metadata`),
 * field by field so that one bad field does not hide the others. Keys that are not Ark fields
 * are left to the caller (each dialect has its own extra fields; see `unknownFieldIssues`).
 */
export function parseSeedanceFields(
  object: Readonly<Record<string, unknown>>,
  prefix: string,
): { fields: SeedanceFields; issues: FieldIssue[] } {
  const fields: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  for (const name of seedanceFieldNames) {
    if (!(name in object)) continue;
    const { output, issues: fieldIssues } = parseWith(
      seedanceFieldShape[name] as z.ZodType,
      object[name],
      `${prefix}${name}`,
    );
    issues.push(...fieldIssues);
    if (output !== null && output !== undefined) fields[name] = output;
  }
  return { fields: fields as SeedanceFields, issues };
}

/** Whether `name` is one of the Ark fields. */
function isSeedanceField(name: string): name is SeedanceFieldName {
  return Object.hasOwn(seedanceFieldShape, name);
}

/** One `unknown_field` issue per key of `object` that is neither an Ark field nor in `extra`. */
export function unknownFieldIssues(
  object: Readonly<Record<string, unknown>>,
  prefix: string,
  extra: readonly string[],
): FieldIssue[] {
  return Object.keys(object)
    .filter((key) => !isSeedanceField(key) && !extra.includes(key))
    .map((key) => ({
      field: `${prefix}${key}`,
      rule: 'unknown_field',
      message: `${prefix}${key} is not a known field`,
    }));
}

/**
 * Runs a zod schema and turns its issues into FieldIssues named by path (`metadata.duration`,
 * `content[2].role`), each with the rule it broke. `output` is undefined when there are issues.
 */
export function parseWith<Output>(
  schema: z.ZodType<Output>,
  value: unknown,
  prefix: string,
): { output: Output | undefined; issues: FieldIssue[] } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { output: parsed.data, issues: [] };
  return { output: undefined, issues: zodIssues(parsed.error, value, prefix) };
}

/** zod issues → FieldIssues whose messages start with the field's path. */
function zodIssues(error: z.ZodError, value: unknown, prefix: string): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const field = formatPath(issue.path, prefix) || prefix || 'body';
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => {
          const name = formatPath([...issue.path, key], prefix);
          return { field: name, rule: 'unknown_field', message: `${name} is not a known field` };
        });
      case 'invalid_type':
        if (valueAt(value, issue.path) === undefined) {
          return [{ field, rule: 'required', message: `${field} is required` }];
        }
        return [{ field, rule: 'type', message: `${field} ${issue.message}` }];
      case 'invalid_value':
        return [{ field, rule: 'enum', message: `${field} ${issue.message}` }];
      case 'too_big':
        return [
          {
            field,
            rule: issue.origin === 'array' ? 'max_items' : 'maximum',
            message: `${field} ${issue.message}`,
          },
        ];
      case 'too_small':
        return [
          {
            field,
            rule: issue.origin === 'array' ? 'min_items' : 'minimum',
            message: `${field} ${issue.message}`,
          },
        ];
      default:
        return [{ field, rule: issue.code, message: `${field} ${issue.message}` }];
    }
  });
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
