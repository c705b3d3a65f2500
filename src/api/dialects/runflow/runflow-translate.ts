import type { CapabilityFieldNames } from '../../../catalog/check-capabilities.ts';
import { capabilityIssues, throwIfIssues } from '../../../catalog/check-capabilities.ts';
import type { ValidatedInput } from '../../../catalog/input-validator.ts';
import type { ModelSpec } from '../../../catalog/model-spec.ts';
import type { FieldIssue } from '../../../domain/app-error.ts';
import { resolveGenerationMedia } from '../../../domain/generation-mode.ts';
import type { GenerationRequest, MediaReference } from '../../../domain/generation-request.ts';
import type { JobStatus } from '../../../domain/job.ts';
import type { AspectRatio, Resolution } from '../../../domain/media-facts.ts';
import type { RunflowMode } from './runflow-schema.ts';

/**
 * Pure translations from the Runflow wire (shared/reference/dialects.md §2) to Reelgate's request
 * and job vocabulary: the create input → GenerationRequest, status words both ways, list queries.
 */

/** Runflow's names for the fields a capability check can blame. */
export const runflowCapabilityFields: CapabilityFieldNames = {
  resolution: 'input.resolution',
  aspectRatio: 'input.aspect_ratio',
  duration: 'input.duration',
  audio: 'input.generate_audio',
};

/**
 * The GenerationRequest for a validated Runflow input. Omitted fields take the catalog model's
 * defaults (so 2.0 is 720p with audio and adaptive ratio, 1.0 Pro Fast 480p 16:9 silent); `auto`
 * duration is the model's autoDuration and `auto` ratio is `adaptive`. Then the model's
 * capabilities are checked, so a request the model cannot do is refused with `input.*` names.
 */
export function toRunflowGenerationRequest(
  spec: ModelSpec,
  mode: RunflowMode,
  input: ValidatedInput,
  drawSeed: () => number,
): GenerationRequest {
  const properties = spec.inputSchema.properties;
  const ratio = input['aspect_ratio'] ?? properties[spec.fields.aspectRatio]?.default ?? 'adaptive';
  const duration = input['duration'] ?? properties['duration']?.default ?? 'auto';
  const audioDefault = spec.fields.audio !== undefined && properties[spec.fields.audio]?.default === true;
  const seed = input['seed'];
  const prompt = String(input['prompt']);
  const request: GenerationRequest = {
    model: spec.id,
    prompt,
    resolution: (input['resolution'] ?? properties['resolution']?.default ?? '720p') as Resolution,
    aspectRatio: ratio === 'auto' ? 'adaptive' : (ratio as AspectRatio | 'adaptive'),
    durationSeconds: duration === 'auto' ? spec.capabilities.autoDuration : Number(duration),
    generateAudio: typeof input['generate_audio'] === 'boolean' ? input['generate_audio'] : audioDefault,
    seed: typeof seed === 'number' ? seed : drawSeed(),
    webSearch: false,
    returnLastFrame: false,
    watermark: false,
    ...resolveGenerationMedia(mediaOf(mode, input), prompt),
  };
  throwIfIssues(
    capabilityIssues(spec, request, runflowCapabilityFields).map((issue) => inWireTerms(issue, spec)),
  );
  return request;
}

/** The capability check speaks Reelgate's `adaptive`; a Runflow client sent `auto`. */
function inWireTerms(issue: FieldIssue, spec: ModelSpec): FieldIssue {
  if (issue.field !== runflowCapabilityFields.aspectRatio) return issue;
  const ratios = spec.capabilities.ratios.map((ratio) => (ratio === 'adaptive' ? 'auto' : ratio));
  return {
    ...issue,
    message: `input.aspect_ratio must be one of ${ratios.join(', ')} for ${spec.name}, got "auto"`,
  };
}

/** The media URLs of the mode's input, each named by its Runflow field (`input.image_urls[1]`). */
function mediaOf(
  mode: RunflowMode,
  input: ValidatedInput,
): Pick<GenerationRequest, 'images' | 'videos' | 'audios'> {
  const list = (name: string, role: string): MediaReference[] => {
    const value = input[name];
    return Array.isArray(value)
      ? value.map((source, index) => ({ source: String(source), field: `input.${name}[${index}]`, role }))
      : [];
  };
  const one = (name: string, role: string): MediaReference[] => {
    const value = input[name];
    return typeof value === 'string' ? [{ source: value, field: `input.${name}`, role }] : [];
  };
  switch (mode) {
    case 'text-to-video':
      return { images: [], videos: [], audios: [] };
    case 'image-to-video':
      return {
        images: [...one('image_url', 'first_frame'), ...one('end_image_url', 'last_frame')],
        videos: [],
        audios: [],
      };
    case 'reference-to-video':
      return {
        images: list('image_urls', 'reference_image'),
        videos: list('video_urls', 'reference_video'),
        audios: list('audio_urls', 'reference_audio'),
      };
  }
}

// --- statuses ---------------------------------------------------------------------------------

export const runflowStatuses = [
  'queued',
  'dispatching',
  'running',
  'succeeded',
  'failed',
  'canceled',
  'partial_succeeded',
] as const;
export type RunflowStatus = (typeof runflowStatuses)[number];

/** Internal state → `status_code` (reference §6): US `canceled`, and a deadline miss is `failed`. */
export function runflowStatus(status: JobStatus): RunflowStatus {
  switch (status) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'running';
    case 'succeeded':
      return 'succeeded';
    case 'failed':
    case 'expired':
      return 'failed';
    case 'cancelled':
      return 'canceled';
  }
}

/** The `GET /v1/runs/statuses` table. */
export const runflowStatusTable: readonly {
  readonly code: RunflowStatus;
  readonly description: string;
  readonly is_terminal: boolean;
}[] = [
  { code: 'queued', description: 'Accepted and waiting for a worker.', is_terminal: false },
  {
    code: 'dispatching',
    description: 'Being handed to a worker. Reelgate claims atomically, so runs go from queued to running.',
    is_terminal: false,
  },
  { code: 'running', description: 'A worker is generating the video.', is_terminal: false },
  { code: 'succeeded', description: 'Finished; output.outputs holds the video URL.', is_terminal: true },
  {
    code: 'failed',
    description:
      'Finished without output (see failure_code and failure_message); also a run past its deadline.',
    is_terminal: true,
  },
  { code: 'canceled', description: 'Cancelled before it ran; output is null.', is_terminal: true },
  {
    code: 'partial_succeeded',
    description: 'Some outputs of a multi-output run failed. Single-output model runs never end here.',
    is_terminal: true,
  },
];

/** Internal states each Runflow word covers (`cancelled`, the older spelling, is accepted too). */
const statusesByWord: Readonly<Record<string, readonly JobStatus[]>> = {
  queued: ['queued'],
  dispatching: [],
  running: ['running'],
  succeeded: ['succeeded'],
  failed: ['failed', 'expired'],
  canceled: ['cancelled'],
  cancelled: ['cancelled'],
  partial_succeeded: [],
};

// --- list query -------------------------------------------------------------------------------

export interface RunListQuery {
  readonly limit: number;
  readonly cursor: string | undefined;
  /** Internal states to list; undefined lists all. An empty list matches nothing. */
  readonly statuses: readonly JobStatus[] | undefined;
}

const cursorPattern = /^[A-Za-z0-9_-]{1,128}$/;

/** Parses `limit` (1–100, default 20), `cursor` (a run id) and `status` (words, comma-separated). */
export function parseListQuery(query: Readonly<Record<string, unknown>>): RunListQuery {
  const issues: FieldIssue[] = [];
  const limitText = single(query['limit']);
  let limit = 20;
  if (limitText !== undefined) {
    limit = /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= 100)) {
      issues.push({
        field: 'limit',
        rule: 'range',
        message: `limit must be an integer from 1 to 100, got "${limitText}"`,
      });
    }
  }
  const cursor = single(query['cursor']);
  if (cursor !== undefined && !cursorPattern.test(cursor)) {
    issues.push({
      field: 'cursor',
      rule: 'format',
      message: 'cursor must be a run id (next_cursor of the previous page)',
    });
  }
  const words = all(query['status'])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  const statuses: JobStatus[] = [];
  for (const word of words) {
    const covered = statusesByWord[word];
    if (covered === undefined) {
      issues.push({
        field: 'status',
        rule: 'enum',
        message: `status must be one or more of ${runflowStatuses.join(', ')} (comma-separated), got "${word}"`,
      });
    } else statuses.push(...covered.filter((status) => !statuses.includes(status)));
  }
  throwIfIssues(issues);
  return { limit, cursor, statuses: words.length === 0 ? undefined : statuses };
}

function all(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

function single(value: unknown): string | undefined {
  return all(value).at(-1);
}
