import type { ModelSpec } from './model-spec.ts';
import { comfyUiFields, noAliases } from './comfyui-schema-fields.ts';
import { runComfyOutputSchema } from './json-schema.ts';
import { secondsRange } from './model-spec.ts';

/**
 * Wan 2.2 on the operator's ComfyUI servers (engine `comfyui`): the 5B text/image-to-video model
 * and the 14B first + last frame model. Listed only when REELGATE_COMFYUI_URLS is set.
 */
const ratios = ['adaptive', '16:9', '9:16', '4:3', '3:4', '1:1', '21:9'] as const;

export const wan22Ti2v5b: ModelSpec = {
  id: 'wan/wan-2.2/ti2v-5b',
  name: 'Wan 2.2 TI2V 5B',
  description:
    'Open Wan 2.2 5B model on your ComfyUI: text-to-video, or image-to-video from a first frame, 24 fps, no audio.',
  inputSchema: {
    type: 'object',
    title: 'Input',
    required: ['prompt'],
    properties: {
      prompt: comfyUiFields.prompt(
        'A red fox trots through fresh snow at dawn, low tracking shot, soft golden light.',
      ),
      negative_prompt: comfyUiFields.negativePrompt(),
      image: comfyUiFields.image(
        'First frame',
        'Optional first frame (image-to-video); leave out for text-to-video.',
      ),
      resolution: comfyUiFields.resolution(),
      aspect_ratio: comfyUiFields.aspectRatio(true),
      duration: comfyUiFields.duration(1, 10, 5),
      seed: comfyUiFields.seed(),
      steps: comfyUiFields.steps(20),
      cfg: comfyUiFields.cfg(5),
    },
  },
  outputSchema: runComfyOutputSchema,
  fields: { prompt: 'prompt', aspectRatio: 'aspect_ratio', firstFrame: 'image' },
  aliases: noAliases,
  capabilities: {
    audio: false,
    resolutions: ['480p', '720p'],
    durations: secondsRange(1, 10),
    ratios,
    autoDuration: 5,
  },
  defaultEngine: 'comfyui',
  // Runs on the operator's own GPUs: no price unless the operator sets one.
  pricePerSecondUsd: {},
};

export const wan22Flf2v14b: ModelSpec = {
  id: 'wan/wan-2.2/flf2v-14b',
  name: 'Wan 2.2 FLF2V 14B',
  description:
    'Open Wan 2.2 14B model on your ComfyUI: a video from a first and a last frame (rendered at 16 fps, delivered at 24), no audio.',
  inputSchema: {
    type: 'object',
    title: 'Input',
    required: ['prompt', 'first_frame_image', 'last_frame_image'],
    properties: {
      prompt: comfyUiFields.prompt('The flower bud slowly opens into full bloom, macro shot, static camera.'),
      negative_prompt: comfyUiFields.negativePrompt(),
      first_frame_image: comfyUiFields.image('First frame', 'The image the video starts on.'),
      last_frame_image: comfyUiFields.image('Last frame', 'The image the video ends on.'),
      resolution: comfyUiFields.resolution(),
      aspect_ratio: comfyUiFields.aspectRatio(true),
      duration: comfyUiFields.duration(1, 10, 5),
      seed: comfyUiFields.seed(),
      steps: comfyUiFields.steps(20),
      cfg: comfyUiFields.cfg(4),
    },
  },
  outputSchema: runComfyOutputSchema,
  fields: {
    prompt: 'prompt',
    aspectRatio: 'aspect_ratio',
    firstFrame: 'first_frame_image',
    lastFrame: 'last_frame_image',
  },
  aliases: noAliases,
  capabilities: {
    audio: false,
    resolutions: ['480p', '720p'],
    durations: secondsRange(1, 10),
    ratios,
    autoDuration: 5,
  },
  defaultEngine: 'comfyui',
  pricePerSecondUsd: {},
};
