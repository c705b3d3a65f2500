/**
 * A model's input JSON Schema (as `GET /v1/models` publishes it, verbatim from the seeds) turned
 * into form fields, and the form's values turned back into the model's input. Pure functions, so
 * they are tested without a browser (test/web-schema-fields.test.ts).
 */

/** The JSON Schema subset the seeds use for one property. */
export interface SchemaProperty {
  readonly title?: unknown;
  readonly description?: unknown;
  readonly type?: unknown;
  readonly enum?: unknown;
  readonly default?: unknown;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly format?: unknown;
  readonly items?: unknown;
  readonly maxItems?: unknown;
}

export interface InputSchema {
  readonly required?: readonly string[] | undefined;
  readonly properties: Readonly<Record<string, SchemaProperty>>;
}

export type MediaKind = 'image' | 'video' | 'audio';

interface FieldCommon {
  /** The property's name in the model's input. */
  readonly name: string;
  readonly label: string;
  /** The schema's description, when it says anything. */
  readonly help: string | undefined;
  readonly required: boolean;
}

export type FormField =
  | (FieldCommon & { readonly kind: 'text'; readonly defaultValue: string })
  | (FieldCommon & {
      readonly kind: 'select';
      readonly options: readonly (string | number)[];
      readonly defaultValue: string;
      readonly numeric: boolean;
    })
  | (FieldCommon & {
      readonly kind: 'number';
      readonly integer: boolean;
      readonly minimum: number | undefined;
      readonly maximum: number | undefined;
      readonly defaultValue: string;
    })
  | (FieldCommon & { readonly kind: 'checkbox'; readonly defaultValue: boolean })
  | (FieldCommon & {
      readonly kind: 'media';
      readonly media: MediaKind;
      readonly maxItems: number | undefined;
      /** A single URI string in the input (ComfyUI models' `image`), not an array. */
      readonly single: boolean;
      /** For the file picker; the server decides a file's type from its bytes anyway. */
      readonly accept: string;
    });

/** A form value: text for text, select and number inputs; a flag; or media references. */
export type FormValue = string | boolean | readonly string[];
export type FormValues = Readonly<Record<string, FormValue>>;

const acceptByKind: Record<MediaKind, string> = {
  image: 'image/*',
  video: 'video/mp4,video/quicktime,.mp4,.mov',
  audio: 'audio/wav,audio/x-wav,audio/mpeg,.wav,.mp3',
};

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function mediaKindOfFormat(format: unknown): MediaKind | undefined {
  return format === 'image_uri' || format === 'video_uri' || format === 'audio_uri'
    ? (format.slice(0, -'_uri'.length) as MediaKind)
    : undefined;
}

function mediaKindOf(name: string, items: unknown): MediaKind | undefined {
  const format =
    typeof items === 'object' && items !== null ? (items as Record<string, unknown>)['format'] : undefined;
  const kind = mediaKindOfFormat(format);
  if (kind !== undefined) return kind;
  // Schemas without a format: fall back on the seeds' field names.
  if (/image/.test(name)) return 'image';
  if (/video/.test(name)) return 'video';
  if (/audio/.test(name)) return 'audio';
  return undefined;
}

/** One field per property, in the schema's order; properties the form cannot edit are left out. */
export function describeFields(schema: InputSchema): FormField[] {
  const required = new Set(schema.required ?? []);
  const fields: FormField[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    const description = typeof property.description === 'string' ? property.description.trim() : '';
    const common: FieldCommon = {
      name,
      label: typeof property.title === 'string' && property.title.trim() !== '' ? property.title : name,
      help: description === '' ? undefined : description,
      required: required.has(name),
    };
    const field = describeField(common, property);
    if (field !== undefined) fields.push(field);
  }
  return fields;
}

function describeField(common: FieldCommon, property: SchemaProperty): FormField | undefined {
  const type = property.type;
  if (Array.isArray(property.enum) && property.enum.length > 0) {
    const options = property.enum.filter(
      (option): option is string | number => typeof option === 'string' || typeof option === 'number',
    );
    return {
      ...common,
      kind: 'select',
      options,
      numeric: type === 'integer' || type === 'number',
      defaultValue: String(property.default ?? options[0] ?? ''),
    };
  }
  const singleMedia = type === 'string' ? mediaKindOfFormat(property.format) : undefined;
  if (singleMedia !== undefined) {
    return {
      ...common,
      kind: 'media',
      media: singleMedia,
      maxItems: 1,
      single: true,
      accept: acceptByKind[singleMedia],
    };
  }
  if (type === 'string') {
    return {
      ...common,
      kind: 'text',
      defaultValue: typeof property.default === 'string' ? property.default : '',
    };
  }
  if (type === 'integer' || type === 'number') {
    const defaultValue = numberOrUndefined(property.default);
    return {
      ...common,
      kind: 'number',
      integer: type === 'integer',
      minimum: numberOrUndefined(property.minimum),
      maximum: numberOrUndefined(property.maximum),
      defaultValue: defaultValue === undefined ? '' : String(defaultValue),
    };
  }
  if (type === 'boolean') return { ...common, kind: 'checkbox', defaultValue: property.default === true };
  if (type === 'array') {
    const media = mediaKindOf(common.name, property.items);
    if (media === undefined) return undefined;
    return {
      ...common,
      kind: 'media',
      media,
      maxItems: numberOrUndefined(property.maxItems),
      single: false,
      accept: acceptByKind[media],
    };
  }
  return undefined;
}

/** The form's starting values: every default the schema gives. */
export function initialValues(fields: readonly FormField[]): Record<string, FormValue> {
  const values: Record<string, FormValue> = {};
  for (const field of fields) values[field.name] = field.kind === 'media' ? [] : field.defaultValue;
  return values;
}

/** The input to submit, or the fields the form can already tell are wrong (by name). */
export type BuiltInput =
  | { readonly ok: true; readonly input: Record<string, unknown> }
  | { readonly ok: false; readonly issues: Readonly<Record<string, string>> };

/**
 * The model's input from the form's values. Empty optional fields are left out so the server
 * applies its defaults (an empty seed means "draw one"); what the form can check without the
 * server — a number's range and wholeness, a required text, too many media — is reported by field.
 */
export function buildInput(fields: readonly FormField[], values: FormValues): BuiltInput {
  const input: Record<string, unknown> = {};
  const issues: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === 'checkbox') {
      input[field.name] = value === true;
    } else if (field.kind === 'media') {
      const list = Array.isArray(value) ? value : [];
      if (field.maxItems !== undefined && list.length > field.maxItems) {
        issues[field.name] = `${field.label}: at most ${field.maxItems}`;
      } else if (list.length > 0) input[field.name] = field.single ? list[0] : [...list];
      else if (field.required) issues[field.name] = `${field.label} is required`;
    } else {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') {
        if (field.required) issues[field.name] = `${field.label} is required`;
        continue;
      }
      if (field.kind === 'text') input[field.name] = text;
      else if (field.kind === 'select') input[field.name] = field.numeric ? Number(text) : text;
      else {
        const number = Number(text);
        const issue = numberIssue(field.label, number, field);
        if (issue === undefined) input[field.name] = number;
        else issues[field.name] = issue;
      }
    }
  }
  return Object.keys(issues).length === 0 ? { ok: true, input } : { ok: false, issues };
}

function numberIssue(
  label: string,
  value: number,
  bounds: { integer: boolean; minimum: number | undefined; maximum: number | undefined },
): string | undefined {
  const { integer, minimum, maximum } = bounds;
  const what = integer ? 'a whole number' : 'a number';
  const range =
    minimum !== undefined && maximum !== undefined
      ? ` from ${minimum} to ${maximum}`
      : minimum !== undefined
        ? ` of at least ${minimum}`
        : maximum !== undefined
          ? ` of at most ${maximum}`
          : '';
  const broken =
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    (minimum !== undefined && value < minimum) ||
    (maximum !== undefined && value > maximum);
  return broken ? `${label} must be ${what}${range}` : undefined;
}

/** The form field a server issue's path names (`input.duration` or `duration`, `images[1]` → `images`). */
export function fieldOfIssuePath(path: string): string {
  return path.replace(/^(body\.)?input\./, '').replace(/[[.].*$/, '');
}
