import type { ModelSpec } from './model-spec.ts';
import { comfyUiFields, noAliases } from './comfyui-schema-fields.ts';
import { runComfyOutputSchema } from './json-schema.ts';
import { secondsRange } from './model-spec.ts';

/**
 * LTX-2 (Lightricks, 19B) on the operator's ComfyUI servers (engine `comfyui`): text-to-video
 * with a soundtrack the model generates with the picture. Listed only when REELGATE_COMFYUI_URLS
 * is set.
 */
export const ltx2: ModelSpec = {
  id: 'lightricks/ltx-2',
  name: 'LTX-2',
  description:
    'Open LTX-2 model on your ComfyUI: text-to-video with generated sound (describe sounds and dialogue in the prompt), 24 fps.',
  inputSchema: {
    type: 'object',
    title: 'Input',
    required: ['prompt'],
    properties: {
      prompt: comfyUiFields.prompt(
        'A street drummer plays under a bridge at night, echoing beats, passing traffic, handheld close-up.',
      ),
      negative_prompt: comfyUiFields.negativePrompt(),
      resolution: comfyUiFields.resolution(),
      aspect_ratio: comfyUiFields.aspectRatio(false),
      duration: comfyUiFields.duration(1, 10, 5),
      generate_audio: {
        title: 'Generate audio',
        description: 'When true the video keeps the soundtrack LTX-2 generates; when false it is silent.',
        type: 'boolean',
        default: true,
      },
      seed: comfyUiFields.seed(),
      steps: comfyUiFields.steps(20),
      cfg: comfyUiFields.cfg(4),
    },
  },
  outputSchema: runComfyOutputSchema,
  fields: { prompt: 'prompt', aspectRatio: 'aspect_ratio', audio: 'generate_audio' },
  aliases: noAliases,
  capabilities: {
    audio: true,
    resolutions: ['480p', '720p'],
    durations: secondsRange(1, 10),
    ratios: ['16:9', '9:16', '4:3', '3:4', '1:1', '21:9'],
    autoDuration: 5,
  },
  defaultEngine: 'comfyui',
  pricePerSecondUsd: {},
};
