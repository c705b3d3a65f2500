import type { CatalogModel, ModelCatalog } from '../catalog/model-catalog.ts';
import { toGenerationRequest } from '../catalog/to-generation-request.ts';
import type { FieldIssue } from '../domain/app-error.ts';
import { AppError } from '../domain/app-error.ts';
import { mediaRoles, resolveGenerationMedia } from '../domain/generation-mode.ts';
import type { GenerationRequest, MediaReference } from '../domain/generation-request.ts';
import type { JobStatus } from '../domain/job.ts';
import { jobStatuses } from '../domain/job.ts';
import { callbackUrlIssue } from './request-extras.ts';

/**
 * `POST /v1/jobs` and `GET /v1/jobs`, Reelgate's own dialect-neutral routes: the body and query
 * parsed into what the job service takes. The input is the model's own (its seed schema, validated
 * by the catalog exactly as RunComfy's routes do); `roles` and `return_last_frame` add what that
 * flat schema cannot say. Pure, so every rule is unit-tested without HTTP.
 */

/** A parsed create body: the model, the request for the engine and what to store. */
export interface NeutralCreate {
  readonly model: CatalogModel;
  readonly request: GenerationRequest;
  /** The accepted input with the seed filled in, so the job can be re-run exactly. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly callbackUrl: string | null;
}

const bodyKeys = ['model', 'input', 'callback_url', 'roles', 'return_last_frame'];

/** Validates a create body, reporting every broken rule at once (input fields as `input.…`). */
export function parseNeutralCreate(
  body: unknown,
  catalog: ModelCatalog,
  drawSeed: () => number,
): NeutralCreate {
  if (!isRecord(body)) {
    throw AppError.validation([
      { field: 'body', rule: 'type', message: 'the request body must be a JSON object' },
    ]);
  }
  const issues: FieldIssue[] = Object.keys(body)
    .filter((key) => !bodyKeys.includes(key))
    .map((key) => ({ field: key, rule: 'unknown_field', message: `unknown parameter: ${key}` }));

  const modelId = body['model'];
  let model: CatalogModel | undefined;
  if (typeof modelId !== 'string' || modelId === '') {
    issues.push(requiredOrType('model', modelId, 'a model id string (see GET /v1/models)'));
  } else {
    model = catalog.find(modelId);
    // An unknown model is a 404 of its own, as on every dialect, unless the body has other faults.
    if (model === undefined && issues.length === 0) catalog.get(modelId, 'model');
  }

  const callbackUrl = body['callback_url'];
  if (callbackUrl !== undefined && callbackUrl !== null) {
    const issue =
      typeof callbackUrl === 'string'
        ? callbackUrlIssue(callbackUrl, 'callback_url')
        : { field: 'callback_url', rule: 'type', message: 'callback_url must be a URL string or null' };
    if (issue !== undefined) issues.push(issue);
  }
  const returnLastFrame = body['return_last_frame'];
  if (returnLastFrame !== undefined && typeof returnLastFrame !== 'boolean') {
    issues.push({
      field: 'return_last_frame',
      rule: 'type',
      message: 'return_last_frame must be true or false',
    });
  }

  const rawInput = body['input'];
  let input: Readonly<Record<string, unknown>> | undefined;
  if (!isRecord(rawInput)) {
    issues.push(requiredOrType('input', rawInput, "an object with the model's input fields"));
  } else if (model !== undefined) {
    try {
      input = model.validate(rawInput, 'input.');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      issues.push(...error.issues);
    }
  }
  const roles =
    model === undefined || input === undefined ? undefined : rolesOf(body['roles'], model, input, issues);
  if (issues.length > 0 || model === undefined || input === undefined) throw AppError.validation(issues);

  const generation = toGenerationRequest(model.spec, input, drawSeed);
  const request = withRoles(generation, roles ?? {}, returnLastFrame === true);
  return {
    model,
    request,
    input: { ...input, seed: request.seed },
    callbackUrl: typeof callbackUrl === 'string' ? callbackUrl : null,
  };
}

/**
 * `roles`: `{"<media field>[<index>]": role}` for inputs that are not plain references, e.g. a
 * first and a last frame. Each key must name a media input that was given, each role must suit
 * its kind (seed 004's roles).
 */
function rolesOf(
  value: unknown,
  model: CatalogModel,
  input: Readonly<Record<string, unknown>>,
  issues: FieldIssue[],
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    issues.push({
      field: 'roles',
      rule: 'type',
      message: 'roles must be an object such as {"images[0]": "first_frame"}',
    });
    return undefined;
  }
  const fields = model.spec.fields;
  const kinds = { image: fields.images, video: fields.videos, audio: fields.audios };
  const roles: Record<string, string> = {};
  for (const [key, role] of Object.entries(value)) {
    const field = `roles.${key}`;
    const match = /^([a-z_]+)\[(\d+)\]$/.exec(key);
    const kind = (Object.keys(kinds) as (keyof typeof kinds)[]).find((name) => kinds[name] === match?.[1]);
    const list = match?.[1] === undefined ? undefined : input[match[1]];
    if (match === null || kind === undefined || !Array.isArray(list) || Number(match[2]) >= list.length) {
      issues.push({
        field,
        rule: 'unknown_field',
        message: `${field}: "${key}" names no media input of this request (use the input field and index, e.g. ${fields.images ?? 'images'}[0])`,
      });
      continue;
    }
    const allowed: readonly string[] = mediaRoles[kind];
    if (typeof role !== 'string' || !allowed.includes(role)) {
      issues.push({ field, rule: 'enum', message: `${field} must be one of ${allowed.join(', ')}` });
      continue;
    }
    roles[key] = role;
  }
  return roles;
}

/** Where a role given in `roles` is blamed and remembered: `roles.images[1]`. */
const rolesPrefix = 'roles.';

/** The request with the client's roles on its media (and errors blamed on `input.…`), mode re-derived. */
function withRoles(
  request: GenerationRequest,
  roles: Readonly<Record<string, string>>,
  returnLastFrame: boolean,
): GenerationRequest {
  const apply = (reference: MediaReference): MediaReference => {
    const key = reference.field ?? '';
    const role = roles[key];
    return {
      ...reference,
      field: `input.${key}`,
      ...(role === undefined ? {} : { role, roleField: `${rolesPrefix}${key}` }),
    };
  };
  const media = resolveGenerationMedia(
    {
      images: request.images.map(apply),
      videos: request.videos.map(apply),
      audios: request.audios.map(apply),
    },
    request.prompt,
  );
  return { ...request, ...media, returnLastFrame };
}

/**
 * The `roles` a request was created with, the inverse of {@link withRoles}: what the job view
 * shows so that the same body can be submitted again. Roles the server implied are left out, as
 * the client left them out; other dialects carry their roles inside their own input
 * (`content[].role`), so their requests give `{}`.
 */
export function rolesGivenIn(request: GenerationRequest): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const reference of [...request.images, ...request.videos, ...request.audios]) {
    const at = reference.roleField;
    if (reference.role !== undefined && at?.startsWith(rolesPrefix) === true) {
      roles[at.slice(rolesPrefix.length)] = reference.role;
    }
  }
  return roles;
}

/** `GET /v1/jobs` query: status filter (comma-separated), model, page size and cursor. */
export interface NeutralListQuery {
  readonly statuses: readonly JobStatus[] | undefined;
  readonly model: string | undefined;
  readonly limit: number;
  readonly after: string | undefined;
}

export const defaultJobPageSize = 20;
export const maxJobPageSize = 100;

export function parseNeutralListQuery(query: unknown): NeutralListQuery {
  const values = isRecord(query) ? query : {};
  const issues: FieldIssue[] = [];
  const single = (name: string): string | undefined => {
    const value = values[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value !== '') return value;
    issues.push({ field: name, rule: 'type', message: `${name} must be given once, not empty` });
    return undefined;
  };
  const statusText = single('status');
  const statuses = statusText?.split(',').map((status) => status.trim());
  for (const status of statuses ?? []) {
    if (!(jobStatuses as readonly string[]).includes(status)) {
      issues.push({
        field: 'status',
        rule: 'enum',
        message: `status must be one or more (comma-separated) of ${jobStatuses.join(', ')}; got "${status}"`,
      });
    }
  }
  const limitText = single('limit');
  const limit = limitText === undefined ? defaultJobPageSize : Number(limitText);
  if (!/^\d{1,3}$/.test(limitText ?? '1') || limit < 1 || limit > maxJobPageSize) {
    issues.push({
      field: 'limit',
      rule: 'maximum',
      message: `limit must be a whole number from 1 to ${maxJobPageSize}`,
    });
  }
  const model = single('model');
  const after = single('after');
  for (const key of Object.keys(values).filter(
    (name) => !['status', 'limit', 'model', 'after'].includes(name),
  )) {
    issues.push({ field: key, rule: 'unknown_field', message: `unknown query parameter: ${key}` });
  }
  if (issues.length > 0) throw AppError.validation(issues);
  return { statuses: statuses as JobStatus[] | undefined, model, limit, after };
}

function requiredOrType(field: string, value: unknown, what: string): FieldIssue {
  return value === undefined
    ? { field, rule: 'required', message: `${field} is required: ${what}` }
    : { field, rule: 'type', message: `${field} must be ${what}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
