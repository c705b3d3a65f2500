import type { z } from 'zod';
import type { FieldIssue } from '../../../domain/app-error.ts';
import { formatPath } from '../../../catalog/input-validator.ts';

/**
 * zod issues → FieldIssues for this dialect. The schemas here carry their own messages (each names
 * its field), so this only decides the path, the rule, and "required" for what is missing.
 */
export function zodFieldIssues(error: z.ZodError, body: unknown): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const field = formatPath(issue.path) || 'body';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const name = formatPath([...issue.path, key]);
        return { field: name, rule: 'unknown_field', message: `unknown parameter: ${name}` };
      });
    }
    if (issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined) {
      return [{ field, rule: 'required', message: `${field} is required` }];
    }
    return [{ field, rule: ruleOf(issue), message: issue.message }];
  });
}

/** A FieldIssue for a body that is not an object at all. */
export function notAnObjectIssue(): FieldIssue {
  return {
    field: 'body',
    rule: 'type',
    message: 'the request body must be a JSON object or multipart/form-data',
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_union':
      return 'type';
    case 'too_small':
      return 'min_length';
    case 'too_big':
      return 'max_length';
    case 'invalid_value':
      return 'enum';
    case 'invalid_format':
      return 'format';
    default:
      return issue.code;
  }
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let current = body;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
