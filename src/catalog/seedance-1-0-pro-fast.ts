import type { ModelSpec } from './model-spec.ts';
import { runComfyOutputSchema } from './json-schema.ts';
import { pricesFrom720p, secondsRange, seedPrice720p } from './model-spec.ts';

/**
 * Seedance 1.0 Pro Fast text-to-video, as RunComfy publishes it (seed 002): `text` instead of
 * `prompt`, `ratio` without adaptive, a duration enum 2–12, 480p by default, a fixed default seed,
 * and no audio at all.
 */
export const seedance10ProFast: ModelSpec = {
  id: 'bytedance/seedance-1-0/pro/fast/text-to-video',
  name: 'Seedance 1.0 Pro Fast',
  description:
    'High-speed text-to-video generation with stable motion, flexible aspect ratios and durations, seeds, and fast, cinematic rendering.',
  inputSchema: {
    type: 'object',
    title: 'Input',
    required: ['text'],
    properties: {
      text: {
        title: 'Prompt',
        description: 'The prompt should be less than 500 characters to get better results.',
        type: 'string',
        default:
          'A tiny robot rolls across a wooden desk; the camera tracks beside it while fairy lights glow in soft bokeh behind—cozy evening tone, detailed reflections.',
      },
      resolution: {
        title: 'Resolution',
        description: '',
        type: 'string',
        enum: ['480p', '720p', '1080p'],
        default: '480p',
      },
      ratio: {
        title: 'Aspect Ratio (W:H)',
        description: '',
        type: 'string',
        enum: ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9'],
        default: '16:9',
      },
      duration: {
        title: 'Duration',
        description: '',
        type: 'integer',
        enum: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        default: 5,
      },
      seed: {
        title: 'Seed',
        description: '',
        type: 'integer',
        default: 38810827,
      },
    },
  },
  outputSchema: runComfyOutputSchema,
  fields: { prompt: 'text', aspectRatio: 'ratio' },
  aliases: {
    runflow: ['bytedance/seedance/1.0/pro/fast/text-to-video'],
    anyfast: ['seedance-1-0-pro-fast'],
    modelark: ['seedance-1-0-pro-fast-251015'],
    openai: [],
  },
  capabilities: {
    audio: false,
    resolutions: ['480p', '720p', '1080p'],
    durations: secondsRange(2, 12),
    ratios: ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9'],
    autoDuration: 5,
  },
  defaultEngine: 'animatic',
  pricePerSecondUsd: pricesFrom720p(seedPrice720p, ['480p', '720p', '1080p']),
};
