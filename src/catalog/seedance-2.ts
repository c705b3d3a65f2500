import type { JsonObjectSchema } from './json-schema.ts';
import type { ModelSpec } from './model-spec.ts';
import type { Resolution } from '../domain/media-facts.ts';
import { runComfyOutputSchema } from './json-schema.ts';
import { pricesFrom720p, secondsRange, seedPrice720p } from './model-spec.ts';

/**
 * Seedance 2.0 Fast and Pro, as RunComfy publishes them (seeds 000 and 001). The two schemas are
 * identical except for the resolution enum (Pro has no 1080p) and the model name in one
 * description, so one builder makes both.
 */
const defaultPrompt =
  "Golden hour on a quiet cafe terrace: a barista wipes the counter, then looks up and explains today's special in a friendly tone, natural lip-sync. Medium close-up, slow push-in; warm side light, soft bokeh through glass, gentle cafe ambience and subtle film grain.";

function seedance2InputSchema(variant: 'Fast' | 'Pro', resolutions: readonly string[]): JsonObjectSchema {
  return {
    type: 'object',
    title: 'Input schema',
    required: ['prompt'],
    properties: {
      prompt: {
        title: 'Prompt',
        description:
          'Text prompt for the video (Chinese ~≤500 characters, English ~≤1000 words recommended). ',
        type: 'string',
        default: defaultPrompt,
      },
      images: {
        title: 'Images',
        description:
          'Reference images for multimodal reference mode (0–9). Support jpeg、png、webp、bmp、tiff、gif.',
        type: 'array',
        items: { type: 'string', format: 'image_uri' },
        maxItems: 9,
      },
      videos: {
        title: 'Videos',
        description:
          'Reference videos for multimodal reference mode (0–3). Support mp4、mov. Video duration must be between 2 and 15 seconds.',
        type: 'array',
        items: { type: 'string', format: 'video_uri' },
        maxItems: 3,
      },
      audios: {
        title: 'Audio URLs',
        description:
          'Reference audio for multimodal reference mode (0–3). Support wav、mp3. Audio duration must be between 2 and 15 seconds. Size should be less than 15MB.',
        type: 'array',
        items: { type: 'string', format: 'audio_uri' },
        maxItems: 3,
      },
      aspect_ratio: {
        title: 'Aspect Ratio (W:H)',
        description: `Seedance 2.0 ${variant} default is adaptive (model picks closest ratio; actual ratio is returned on task query).`,
        type: 'string',
        enum: ['adaptive', '16:9', '9:16', '4:3', '3:4', '1:1', '21:9'],
        default: 'adaptive',
      },
      duration: {
        title: 'Duration (seconds)',
        description: 'Integer seconds in [4, 15].',
        type: 'integer',
        minimum: 4,
        maximum: 15,
        default: 5,
      },
      resolution: {
        title: 'Resolution',
        description: '',
        type: 'string',
        enum: resolutions,
        default: '720p',
      },
      generate_audio: {
        title: 'Generate audio',
        description: 'When true, the model outputs video with synchronized audio (speech, SFX, music). ',
        type: 'boolean',
        default: true,
      },
      seed: {
        title: 'Seed',
        description: 'Random seed for the video generation. ',
        type: 'integer',
      },
      tools: {
        title: 'Web Search',
        description:
          ' When `web_search` is included, the model may run an online search depending on the prompt (e.g. specific products, current weather), which can improve factual freshness but increases latency. ',
        type: 'boolean',
        default: false,
      },
    },
  };
}

function seedance2(
  id: string,
  variant: 'Fast' | 'Pro',
  resolutions: readonly Resolution[],
  aliases: ModelSpec['aliases'],
): ModelSpec {
  return {
    id,
    name: `Seedance 2.0 ${variant}`,
    description:
      'Multimodal video generation with native audio: text, reference images, videos and audio in; an MP4 with sound out.',
    inputSchema: seedance2InputSchema(variant, resolutions),
    outputSchema: runComfyOutputSchema,
    fields: {
      prompt: 'prompt',
      aspectRatio: 'aspect_ratio',
      audio: 'generate_audio',
      webSearch: 'tools',
      images: 'images',
      videos: 'videos',
      audios: 'audios',
    },
    aliases,
    capabilities: {
      audio: true,
      resolutions,
      durations: secondsRange(4, 15),
      ratios: ['adaptive', '16:9', '9:16', '4:3', '3:4', '1:1', '21:9'],
      autoDuration: 5,
    },
    defaultEngine: 'animatic',
    pricePerSecondUsd: pricesFrom720p(seedPrice720p, resolutions),
  };
}

/** Runflow lists one model per mode; they all reach the same model here. */
function runflowIds(base: string): string[] {
  return ['text-to-video', 'image-to-video', 'reference-to-video'].map((mode) => `${base}/${mode}`);
}

export const seedance2Fast = seedance2('bytedance/seedance-v2/fast', 'Fast', ['480p', '720p', '1080p'], {
  runflow: runflowIds('bytedance/seedance/2.0/fast'),
  anyfast: ['seedance-fast'],
  modelark: ['dreamina-seedance-2-0-fast-260128'],
  openai: ['sora-2'],
});

export const seedance2Pro = seedance2('bytedance/seedance-2.0/pro', 'Pro', ['480p', '720p'], {
  runflow: runflowIds('bytedance/seedance/2.0'),
  anyfast: ['seedance-pro'],
  modelark: ['dreamina-seedance-2-0-260128'],
  openai: ['sora-2-pro'],
});
