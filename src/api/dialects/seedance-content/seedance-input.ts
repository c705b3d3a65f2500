import type { GenerationRequest, MediaReference } from '../../../domain/generation-request.ts';
import type { SeedanceFields } from './seedance-fields.ts';

/**
 * The job's `input` for a Seedance task: the Ark task body as it was accepted, in Ark's own field
 * names with every default and flag applied (seed drawn, duration resolved, prompt without its
 * flags). Both Seedance dialects store this shape, so the task object can echo it back.
 */
export function seedanceInput(
  requestedModel: string,
  fields: SeedanceFields,
  request: GenerationRequest,
  executionExpiresAfter: number,
): Record<string, unknown> {
  const item = (type: 'image_url' | 'video_url' | 'audio_url') => (reference: MediaReference) => ({
    type,
    [type]: { url: reference.source },
    role: reference.role,
  });
  return {
    model: requestedModel,
    content: [
      ...(request.prompt === '' ? [] : [{ type: 'text', text: request.prompt }]),
      ...request.images.map(item('image_url')),
      ...request.videos.map(item('video_url')),
      ...request.audios.map(item('audio_url')),
    ],
    resolution: request.resolution,
    ratio: request.aspectRatio,
    duration: request.durationSeconds,
    ...(fields.frames === undefined ? {} : { frames: fields.frames }),
    seed: request.seed,
    camera_fixed: fields.camera_fixed ?? false,
    watermark: request.watermark,
    generate_audio: request.generateAudio,
    return_last_frame: request.returnLastFrame,
    ...(request.webSearch ? { tools: [{ type: 'web_search' }] } : {}),
    service_tier: fields.service_tier ?? 'default',
    execution_expires_after: executionExpiresAfter,
    draft: false,
    priority: fields.priority ?? 0,
    ...(fields.callback_url === undefined ? {} : { callback_url: fields.callback_url }),
    ...(fields.safety_identifier === undefined ? {} : { safety_identifier: fields.safety_identifier }),
    ...(fields.omni_reference_task_type === undefined
      ? {}
      : { omni_reference_task_type: fields.omni_reference_task_type }),
    output_format: 'mp4',
  };
}
