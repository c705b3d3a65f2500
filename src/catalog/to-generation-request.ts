import { resolveGenerationMedia } from '../domain/generation-mode.ts';
import type { GenerationRequest, MediaReference } from '../domain/generation-request.ts';
import type { AspectRatio, Resolution } from '../domain/media-facts.ts';
import type { ValidatedInput } from './input-validator.ts';
import type { ModelSpec } from './model-spec.ts';

/**
 * Turns an input already validated against the model's seed schema into the dialect-neutral
 * GenerationRequest. Field names differ between seeds (`prompt`/`text`, `aspect_ratio`/`ratio`);
 * the model spec says which is which.
 *
 * @param drawSeed gives a seed when the input has none, so every job can be replayed exactly.
 */
export function toGenerationRequest(
  spec: ModelSpec,
  input: ValidatedInput,
  drawSeed: () => number,
): GenerationRequest {
  const fields = spec.fields;
  const seed = input['seed'];
  const prompt = String(input[fields.prompt]);
  // Seed 000: `images`, `videos` and `audios` are all references for multimodal reference mode.
  const media = resolveGenerationMedia(
    {
      images: [
        ...frameImage(input, fields.firstFrame, 'first_frame'),
        ...frameImage(input, fields.lastFrame, 'last_frame'),
        ...mediaList(input, fields.images, 'reference_image'),
      ],
      videos: mediaList(input, fields.videos, 'reference_video'),
      audios: mediaList(input, fields.audios, 'reference_audio'),
    },
    prompt,
  );
  return {
    model: spec.id,
    prompt,
    resolution: input['resolution'] as Resolution,
    aspectRatio: input[fields.aspectRatio] as AspectRatio | 'adaptive',
    durationSeconds: Number(input['duration']),
    generateAudio: spec.capabilities.audio && fields.audio !== undefined && input[fields.audio] === true,
    seed: typeof seed === 'number' ? seed : drawSeed(),
    webSearch: fields.webSearch !== undefined && input[fields.webSearch] === true,
    returnLastFrame: false,
    watermark: false,
    ...media,
  };
}

function mediaList(input: ValidatedInput, field: string | undefined, role: string): MediaReference[] {
  if (field === undefined) return [];
  const value = input[field];
  return Array.isArray(value)
    ? value.map((source, index) => ({ source: String(source), field: `${field}[${index}]`, role }))
    : [];
}

/** A single-image field with a fixed role (`first_frame_image`), when the model has one and it is set. */
function frameImage(input: ValidatedInput, field: string | undefined, role: string): MediaReference[] {
  const value = field === undefined ? undefined : input[field];
  return typeof value === 'string' && field !== undefined ? [{ source: value, field, role }] : [];
}
