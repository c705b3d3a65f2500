import type { FieldIssue } from '../../../domain/app-error.ts';
import type { ModeHint } from '../../../domain/generation-mode.ts';
import {
  deriveGenerationMode,
  generationModeIssues,
  modeHintIssue,
} from '../../../domain/generation-mode.ts';
import type { GenerationRequest } from '../../../domain/generation-request.ts';
import type { AspectRatio, Resolution } from '../../../domain/media-facts.ts';
import { outputFps } from '../../../domain/media-facts.ts';
import type { ModelSpec } from '../../../catalog/model-spec.ts';
import { capabilityIssues } from '../../../catalog/check-capabilities.ts';
import { callbackUrlIssue } from '../../request-extras.ts';
import type { ContentMedia } from './content-items.ts';
import { parseContentItems } from './content-items.ts';
import { extractTextFlags } from './legacy-text-flags.ts';
import type { TextFlagField } from './legacy-text-flags.ts';
import { resolveMediaRoles } from './media-roles.ts';
import type { SeedanceFieldName, SeedanceFields } from './seedance-fields.ts';
import { executionExpiresBounds } from './seedance-fields.ts';
import { seedanceInput } from './seedance-input.ts';

/**
 * A Seedance task (ModelArk's body, or AnyFast's after merging its forms) → GenerationRequest.
 * Both dialects end here, so both refuse the same things with the same messages; they differ
 * only in where a field came from, which `paths` records so every message names the client's field.
 */

/** A Seedance task as a dialect found it: the Ark fields, and where each came from. */
export interface SeedanceDraft {
  /** The model id as the client wrote it (kept in the job's input). */
  readonly requestedModel: string;
  readonly fields: SeedanceFields;
  /** Where each given field came from when not at the top level (`metadata.duration`, `seconds`). */
  readonly paths?: Readonly<Partial<Record<SeedanceFieldName, string>>>;
  /** A prompt given outside `content` (new-api's `prompt`): it replaces the text items, as new-api does. */
  readonly prompt?: { readonly text: string; readonly path: string };
  /** Images given outside `content` (new-api's `images[]`), without roles. */
  readonly extraImages?: readonly { readonly source: string; readonly path: string }[];
}

/** The outcome of `translateSeedance`. */
export interface SeedanceTranslation {
  readonly request: GenerationRequest;
  /** The task as accepted, every default applied: the job's `input`, in Ark's field names. */
  readonly input: Record<string, unknown>;
  readonly callbackUrl: string | null;
  /** `execution_expires_after` from now: a job still queued then ends expired. */
  readonly deadlineAt: number;
  /** Every broken rule; the request must not be submitted unless this is empty. */
  readonly issues: readonly FieldIssue[];
}

/** Translates and checks a Seedance task against the model; see SeedanceTranslation. */
export function translateSeedance(
  spec: ModelSpec,
  draft: SeedanceDraft,
  context: { readonly drawSeed: () => number; readonly now: number },
): SeedanceTranslation {
  const issues: FieldIssue[] = [];
  const contentPath = draft.paths?.content ?? 'content';
  const content = parseContentItems(draft.fields.content ?? [], contentPath);
  issues.push(...content.issues);

  // The prompt: new-api's `prompt` wins over text items; otherwise exactly one text item.
  let promptText = '';
  let promptPath: string | undefined;
  if (draft.prompt !== undefined) {
    promptText = draft.prompt.text;
    promptPath = draft.prompt.path;
  } else {
    const [first, ...others] = content.texts;
    if (first !== undefined) {
      promptText = first.text;
      promptPath = first.path;
    }
    for (const extra of others) {
      const item = extra.path.replace(/\.text$/, '');
      issues.push({
        field: item,
        rule: 'max_items',
        message: `${item}: only one text item is allowed; put the whole prompt in ${first?.path ?? 'one item'}`,
      });
    }
  }
  const extracted = promptPath === undefined ? undefined : extractTextFlags(promptText, promptPath);
  issues.push(...(extracted?.issues ?? []));

  // Explicit fields win over the text's flags; each value remembers where it came from.
  const flagged = extracted?.flags ?? {};
  const fields: SeedanceFields = { ...flagged, ...draft.fields };
  const pathOf = (name: SeedanceFieldName): string => {
    if (draft.fields[name] === undefined && flagged[name as TextFlagField] !== undefined) {
      return `${promptPath ?? contentPath} (${extracted?.flagNames[name as TextFlagField] ?? name})`;
    }
    return draft.paths?.[name] ?? name;
  };

  const media: ContentMedia[] = [
    ...content.media,
    ...(draft.extraImages ?? []).map((image) => ({
      kind: 'image' as const,
      source: image.source,
      role: undefined,
      path: image.path,
      sourcePath: image.path,
    })),
  ];
  const resolved = resolveMediaRoles(media, contentPath);
  issues.push(...resolved.issues, ...unsupportedMediaIssues(spec, media));
  const prompt = extracted?.prompt ?? '';
  if (prompt === '' && media.length === 0) {
    const field = promptPath ?? contentPath;
    issues.push({
      field,
      rule: 'required',
      message:
        promptPath === undefined
          ? `${contentPath} must hold a text item with the prompt ({"type": "text", "text": "…"})`
          : `${field} must not be empty: it is the prompt`,
    });
  }

  if (fields.draft === true) {
    issues.push(
      unsupported(pathOf('draft'), 'draft (sample) videos are not supported yet; send false or leave it out'),
    );
  }
  if (fields.service_tier === 'flex' && !offersFlexTier(spec)) {
    const field = pathOf('service_tier');
    issues.push({
      field,
      rule: 'enum',
      message: `${field} must be "default" for ${spec.name}: the flex (offline) tier is offered for Seedance 1.x models only`,
    });
  }
  const callbackIssue =
    fields.callback_url === undefined
      ? undefined
      : callbackUrlIssue(fields.callback_url, pathOf('callback_url'));
  if (callbackIssue !== undefined) issues.push(callbackIssue);

  const webSearch = (fields.tools ?? []).some((tool) => tool.type === 'web_search');
  if (webSearch && spec.fields.webSearch === undefined) {
    issues.push(unsupported(pathOf('tools'), `${spec.name} has no web search tool; leave tools out`));
  }
  // The mode the roles make, and the rules every dialect shares (generation-mode.ts).
  const hint = modeHint(fields.omni_reference_task_type);
  const mode = deriveGenerationMode(resolved, prompt, hint);
  const searchable = webSearch && spec.fields.webSearch !== undefined;
  issues.push(...generationModeIssues({ ...resolved, webSearch: searchable }, pathOf('tools')));
  const hintIssue = modeHintIssue(hint, resolved, pathOf('omni_reference_task_type'));
  if (hintIssue !== undefined) issues.push(hintIssue);

  const duration = resolveDuration(spec, fields, pathOf, issues);
  const defaults = modelDefaults(spec);
  const generateAudio = fields.generate_audio ?? defaults.generateAudio;
  const request: GenerationRequest = {
    model: spec.id,
    mode,
    prompt,
    // Unchecked strings here are checked by capabilityIssues below; a request with issues is never submitted.
    resolution: (fields.resolution ?? defaults.resolution) as Resolution,
    aspectRatio: (fields.ratio ?? defaults.ratio) as AspectRatio | 'adaptive',
    durationSeconds: duration,
    generateAudio,
    seed: fields.seed === undefined || fields.seed === -1 ? context.drawSeed() : fields.seed,
    webSearch,
    returnLastFrame: fields.return_last_frame ?? false,
    watermark: fields.watermark ?? false,
    images: resolved.images,
    videos: resolved.videos,
    audios: resolved.audios,
  };
  issues.push(
    ...capabilityIssues(spec, request, {
      resolution: pathOf('resolution'),
      aspectRatio: pathOf('ratio'),
      duration:
        fields.duration === undefined && fields.frames !== undefined ? pathOf('frames') : pathOf('duration'),
      audio: pathOf('generate_audio'),
    }),
  );

  const expiresAfter = fields.execution_expires_after ?? executionExpiresBounds.default;
  return {
    request,
    input: seedanceInput(draft.requestedModel, fields, request, expiresAfter),
    callbackUrl: fields.callback_url ?? null,
    deadlineAt: context.now + expiresAfter * 1000,
    issues,
  };
}

/**
 * `duration` (-1 = the model's automatic length), else `frames` at 24 fps, else the model's default.
 * Frames must be a whole number of seconds: 24 × s, or 24 × s + 1 (Ark's own examples count the
 * closing frame: 121 frames for 5 s); with a duration as well, the two must agree.
 */
function resolveDuration(
  spec: ModelSpec,
  fields: SeedanceFields,
  pathOf: (name: SeedanceFieldName) => string,
  issues: FieldIssue[],
): number {
  const duration = fields.duration === -1 ? spec.capabilities.autoDuration : fields.duration;
  if (fields.frames === undefined) return duration ?? modelDefaults(spec).duration;
  const seconds = [fields.frames, fields.frames - 1].find((frames) => frames > 0 && frames % outputFps === 0);
  const fromFrames = seconds === undefined ? undefined : seconds / outputFps;
  const field = pathOf('frames');
  if (fromFrames === undefined) {
    issues.push({
      field,
      rule: 'multiple_of',
      message: `${field} must be a whole number of seconds at ${outputFps} fps (${outputFps} × seconds, or that + 1: e.g. 121 for 5 s), got ${fields.frames}`,
    });
  } else if (fields.duration !== undefined && fields.duration !== -1 && fromFrames !== fields.duration) {
    issues.push({
      field,
      rule: 'consistent',
      message: `${field} (${fields.frames}) disagrees with ${pathOf('duration')} (${fields.duration} s = ${fields.duration * outputFps} frames); send one of them`,
    });
  }
  return duration ?? fromFrames ?? modelDefaults(spec).duration;
}

/** The model's defaults, read from its seed schema (the one place they are published). */
function modelDefaults(spec: ModelSpec) {
  const properties = spec.inputSchema.properties;
  const audioDefault = spec.fields.audio === undefined ? undefined : properties[spec.fields.audio]?.default;
  return {
    resolution: String(properties['resolution']?.default ?? '720p'),
    ratio: String(properties[spec.fields.aspectRatio]?.default ?? 'adaptive'),
    duration: Number(properties['duration']?.default ?? spec.capabilities.autoDuration),
    generateAudio: spec.capabilities.audio && audioDefault !== false,
  };
}

/** Ark offers the flex (offline, cheaper) tier for Seedance 1.x; the 2.0 models are `default` only. */
export function offersFlexTier(spec: ModelSpec): boolean {
  return spec.aliases.modelark.some((id) => id.startsWith('seedance-1-'));
}

/** A model whose schema has no images / videos / audios field takes text only. */
function unsupportedMediaIssues(spec: ModelSpec, media: readonly ContentMedia[]): FieldIssue[] {
  const fieldOf = { image: spec.fields.images, video: spec.fields.videos, audio: spec.fields.audios };
  return media
    .filter((item) => fieldOf[item.kind] === undefined)
    .map((item) =>
      unsupported(item.path, `${spec.name} takes text only; it does not accept ${item.kind} inputs`),
    );
}

/** `omni_reference_task_type`: `auto` (or nothing) leaves the mode to the media and the prompt. */
function modeHint(type: SeedanceFields['omni_reference_task_type']): ModeHint | undefined {
  return type === undefined || type === 'auto' ? undefined : type;
}

function unsupported(field: string, message: string): FieldIssue {
  return { field, rule: 'unsupported', message: `${field}: ${message}` };
}
