import type { ModelSpec } from '../../../catalog/model-spec.ts';
import type { FieldIssue } from '../../../domain/app-error.ts';
import type { Job } from '../../../domain/job.ts';
import type { AspectRatio, Resolution } from '../../../domain/media-facts.ts';
import { aspectRatios, pixelSize } from '../../../domain/media-facts.ts';
import { artifactOf } from '../../../jobs/job-service.ts';

/**
 * OpenAI's `size` ("WxH") ↔ Reelgate's resolution × aspect ratio. A size is accepted when it is
 * exactly a pixel-table size the model can produce; OpenAI's two Sora-only sizes (1024x1792,
 * 1792x1024) are not in the table and map to the nearest size the model offers. Responses always
 * report the size actually produced, so a client that asked for 1792x1024 reads 1920x1088 back.
 */

export interface VideoGeometry {
  readonly resolution: Resolution;
  readonly aspectRatio: AspectRatio;
}

/** OpenAI's default when a request names no size (portrait 720p). */
export const defaultVideoSize = '720x1280';

/** OpenAI's tall and wide Sora Pro sizes: the best resolution the model has, at 9:16 or 16:9. */
const soraProSizes: Readonly<Record<string, AspectRatio>> = {
  '1024x1792': '9:16',
  '1792x1024': '16:9',
};

/** Preference order for the Sora Pro sizes: the sharpest the model allows, never above 1080p. */
const proSizePreference: readonly Resolution[] = ['1080p', '720p', '480p'];

/** Every `size` this model accepts, table sizes by resolution then ratio, then the Sora Pro sizes. */
export function acceptedVideoSizes(spec: ModelSpec): string[] {
  const sizes: string[] = [];
  for (const resolution of spec.capabilities.resolutions) {
    for (const ratio of concreteRatios(spec)) sizes.push(sizeText(resolution, ratio));
  }
  for (const [size, ratio] of Object.entries(soraProSizes)) {
    if (proSizeGeometry(spec, ratio) !== undefined && !sizes.includes(size)) sizes.push(size);
  }
  return sizes;
}

/** The geometry a `size` asks of this model, or the issue naming every size it accepts. */
export function resolveVideoSize(spec: ModelSpec, size: string): VideoGeometry | FieldIssue {
  for (const resolution of spec.capabilities.resolutions) {
    for (const ratio of concreteRatios(spec)) {
      if (sizeText(resolution, ratio) === size) return { resolution, aspectRatio: ratio };
    }
  }
  const proRatio = soraProSizes[size];
  const proGeometry = proRatio === undefined ? undefined : proSizeGeometry(spec, proRatio);
  if (proGeometry !== undefined) return proGeometry;
  return {
    field: 'size',
    rule: 'enum',
    message: `size must be one of ${acceptedVideoSizes(spec).join(', ')} for ${spec.name}, got ${JSON.stringify(size)}`,
  };
}

/**
 * The "WxH" of a job, whichever dialect created it: the produced video's own size once it exists,
 * else the table size its request will produce (`adaptive` without images is 16:9, as the pipeline
 * resolves it; a ratio the pipeline already resolved is in the result metadata).
 */
export function videoSizeOf(job: Job): string {
  const video = artifactOf(job, 'video');
  if (video !== undefined) return `${video.width}x${video.height}`;
  const request = job.request;
  const resolved = job.result?.metadata['aspect_ratio'];
  const ratio =
    request.aspectRatio !== 'adaptive' ? request.aspectRatio : isAspectRatio(resolved) ? resolved : '16:9';
  return sizeText(request.resolution, ratio);
}

function proSizeGeometry(spec: ModelSpec, ratio: AspectRatio): VideoGeometry | undefined {
  if (!spec.capabilities.ratios.includes(ratio)) return undefined;
  const resolution = proSizePreference.find((candidate) => spec.capabilities.resolutions.includes(candidate));
  return resolution === undefined ? undefined : { resolution, aspectRatio: ratio };
}

function concreteRatios(spec: ModelSpec): AspectRatio[] {
  return aspectRatios.filter((ratio) => spec.capabilities.ratios.includes(ratio));
}

function sizeText(resolution: Resolution, ratio: AspectRatio): string {
  const { width, height } = pixelSize(resolution, ratio);
  return `${width}x${height}`;
}

function isAspectRatio(value: unknown): value is AspectRatio {
  return typeof value === 'string' && (aspectRatios as readonly string[]).includes(value);
}
