import type { Job, JobStatus } from '../../../domain/job.ts';
import { videoSizeOf } from './openai-video-size.ts';

/**
 * Jobs rendered as OpenAI Video objects (reference §5.1): every key present, nullable ones as
 * `null`, times in Unix seconds, `seconds` a string. Any job renders, whichever dialect created it.
 */

/** The name this dialect stores in `job.dialect`. */
export const openAiDialect = 'openai';

export type OpenAiVideoStatus = 'queued' | 'in_progress' | 'completed' | 'failed';

export interface OpenAiVideo {
  readonly id: string;
  readonly object: 'video';
  readonly model: string;
  readonly status: OpenAiVideoStatus;
  readonly progress: number;
  readonly created_at: number;
  readonly completed_at: number | null;
  readonly expires_at: number | null;
  readonly prompt: string;
  readonly seconds: string;
  readonly size: string;
  readonly remixed_from_video_id: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface OpenAiVideoList {
  readonly object: 'list';
  readonly data: readonly OpenAiVideo[];
  readonly first_id: string | null;
  readonly last_id: string | null;
  readonly has_more: boolean;
}

/** OpenAI has no cancelled or expired state: both are `failed`, with an error that says which. */
export function openAiStatus(status: JobStatus): OpenAiVideoStatus {
  switch (status) {
    case 'queued':
      return 'queued';
    case 'running':
      return 'in_progress';
    case 'succeeded':
      return 'completed';
    case 'failed':
    case 'cancelled':
    case 'expired':
      return 'failed';
  }
}

/**
 * @param urlTtlSeconds how long the assets stay downloadable after completion (`expires_at`).
 */
export function renderVideo(job: Job, urlTtlSeconds: number): OpenAiVideo {
  const status = openAiStatus(job.status);
  const completedAt = job.finishedAt === null ? null : unixSeconds(job.finishedAt);
  return {
    id: job.id,
    object: 'video',
    model: videoModelName(job),
    status,
    progress: progressPercent(job),
    created_at: unixSeconds(job.createdAt),
    completed_at: completedAt,
    expires_at: status === 'completed' && completedAt !== null ? completedAt + urlTtlSeconds : null,
    prompt: job.request.prompt,
    seconds: String(job.request.durationSeconds),
    size: videoSizeOf(job),
    remixed_from_video_id: remixedFrom(job),
    error: videoError(job),
  };
}

/** A page of videos; `hasMore` says whether the store had another row past this page. */
export function renderVideoList(
  jobs: readonly Job[],
  hasMore: boolean,
  urlTtlSeconds: number,
): OpenAiVideoList {
  const data = jobs.map((job) => renderVideo(job, urlTtlSeconds));
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: hasMore,
  };
}

export function renderDeleted(job: Job) {
  return { id: job.id, object: 'video.deleted' as const, deleted: true };
}

/**
 * The model as the client named it when it came through this dialect (`sora-2`, or a catalog id it
 * chose); a job from another dialect shows its catalog id, the one name every dialect accepts.
 */
export function videoModelName(job: Job): string {
  const named = job.dialect === openAiDialect ? job.input['model'] : undefined;
  return typeof named === 'string' ? named : job.model;
}

function remixedFrom(job: Job): string | null {
  const source = job.dialect === openAiDialect ? job.input['remixed_from_video_id'] : undefined;
  return typeof source === 'string' ? source : null;
}

/** 0–100, integer; 100 only once completed (a running job may report 1.0 while publishing). */
function progressPercent(job: Job): number {
  if (job.status === 'succeeded') return 100;
  if (job.status === 'queued') return 0;
  return Math.min(99, Math.max(0, Math.round(job.progress * 100)));
}

function videoError(job: Job): OpenAiVideo['error'] {
  switch (job.status) {
    case 'failed':
      return {
        code: job.error?.code ?? 'internal_error',
        message: job.error?.message ?? 'the video generation failed',
      };
    case 'cancelled':
      return {
        code: 'cancelled',
        message: job.error?.message ?? 'the video job was cancelled before it finished',
      };
    case 'expired':
      return {
        code: 'expired',
        message: job.error?.message ?? 'the video job passed its deadline before it finished',
      };
    default:
      return null;
  }
}

function unixSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}
