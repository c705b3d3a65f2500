import { z } from 'zod';
import type { FieldIssue } from '../domain/app-error.ts';
import { AppError } from '../domain/app-error.ts';
import type { JsonObjectSchema, JsonSchemaProperty } from './json-schema.ts';

/**
 * Validation derived from a seed's JSON Schema. Unknown fields are rejected by name (a typo such
 * as `durration` must not silently fall back to a default), every broken rule is reported at once,
 * and each message names the field and the rule.
 */
export type ValidatedInput = Readonly<Record<string, unknown>>;

/** Builds a strict zod object schema from the JSON Schema subset the seeds use. */
export function zodFromJsonSchema(schema: JsonObjectSchema): z.ZodType<ValidatedInput> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    const field = zodFromProperty(property);
    // A required field's `default` is the playground's example (the seeds give the prompt one),
    // not a value to fill in: a request without it must be refused.
    if (schema.required.includes(name)) shape[name] = field;
    else if (property.default !== undefined) shape[name] = field.default(property.default as never);
    else shape[name] = field.optional();
  }
  return z.strictObject(shape);
}

function zodFromProperty(property: JsonSchemaProperty): z.ZodType {
  switch (property.type) {
    case 'string': {
      const values = property.enum as readonly string[] | undefined;
      return values === undefined ? z.string() : z.string().pipe(z.enum(values as [string, ...string[]]));
    }
    case 'integer':
    case 'number': {
      let number = property.type === 'integer' ? z.number().int() : z.number();
      if (property.minimum !== undefined) number = number.min(property.minimum);
      if (property.maximum !== undefined) number = number.max(property.maximum);
      const values = property.enum as readonly number[] | undefined;
      return values === undefined ? number : number.pipe(z.literal(values as [number, ...number[]]));
    }
    case 'boolean':
      return z.boolean();
    case 'array': {
      const items = property.items === undefined ? z.unknown() : zodFromProperty(property.items);
      const array = z.array(items);
      return property.maxItems === undefined ? array : array.max(property.maxItems);
    }
  }
}

/**
 * Validates `body` against the compiled schema; throws AppError('validation_failed') listing every
 * issue. `schema` is the JSON Schema the validator came from, used to word type errors as the
 * seed does ("an integer", not zod's "a number").
 */
export function validateInput(
  validator: z.ZodType<ValidatedInput>,
  schema: JsonObjectSchema,
  body: unknown,
  fieldPrefix = '',
): ValidatedInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw AppError.validation([
      {
        field: fieldPrefix.replace(/\.$/, '') || 'body',
        rule: 'type',
        message: `${fieldPrefix.replace(/\.$/, '') || 'the request body'} must be a JSON object`,
      },
    ]);
  }
  const parsed = validator.safeParse(body);
  if (parsed.success) return parsed.data;
  throw AppError.validation(
    parsed.error.issues.flatMap((issue) => describeIssue(issue, body, schema, fieldPrefix)),
  );
}

/** `['images', 3]` → `images[3]`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let text = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' || text.endsWith('.') ? String(segment) : `.${String(segment)}`;
  }
  return text.replace(/\.$/, '');
}

function describeIssue(
  issue: z.core.$ZodIssue,
  body: object,
  schema: JsonObjectSchema,
  prefix: string,
): FieldIssue[] {
  const field = formatPath(issue.path, prefix);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const name = formatPath([...issue.path, key], prefix);
        return {
          field: name,
          rule: 'unknown_field',
          message: `${name} is not a field of this model's input`,
        };
      });
    case 'invalid_type': {
      const received = valueAt(body, issue.path);
      if (received === undefined) {
        return [{ field, rule: 'required', message: `${field} is required` }];
      }
      const declared = propertyAt(schema, issue.path)?.type;
      const expected =
        declared === 'integer' || issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`;
      return [
        { field, rule: 'type', message: `${field} must be ${expected}, got ${describeValue(received)}` },
      ];
    }
    case 'invalid_value':
      return [
        {
          field,
          rule: 'enum',
          message: `${field} must be one of ${issue.values.map((value) => String(value)).join(', ')}, got ${describeValue(valueAt(body, issue.path))}`,
        },
      ];
    case 'too_big':
      return [
        issue.origin === 'array'
          ? { field, rule: 'max_items', message: `${field} must have at most ${String(issue.maximum)} items` }
          : { field, rule: 'maximum', message: `${field} must be at most ${String(issue.maximum)}` },
      ];
    case 'too_small':
      return [
        issue.origin === 'array'
          ? {
              field,
              rule: 'min_items',
              message: `${field} must have at least ${String(issue.minimum)} items`,
            }
          : { field, rule: 'minimum', message: `${field} must be at least ${String(issue.minimum)}` },
      ];
    default:
      return [{ field, rule: issue.code, message: `${field}: ${issue.message}` }];
  }
}

/** The JSON Schema property a path points at (`images[1]` → the `images` items schema). */
function propertyAt(schema: JsonObjectSchema, path: readonly PropertyKey[]): JsonSchemaProperty | undefined {
  const [first, ...rest] = path;
  let property = typeof first === 'string' ? schema.properties[first] : undefined;
  for (const segment of rest) {
    property = typeof segment === 'number' ? property?.items : undefined;
  }
  return property;
}

function valueAt(body: object, path: readonly PropertyKey[]): unknown {
  let current: unknown = body;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}" (a string)`;
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (a ${typeof value})`;
}
