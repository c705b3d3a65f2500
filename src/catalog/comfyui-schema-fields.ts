import type { JsonSchemaProperty } from './json-schema.ts';

/**
 * Input fields the ComfyUI-served models share (prompt, negative prompt, seed, sampler steps,
 * guidance, size, length). Each model file picks its own defaults and bounds.
 */
export const comfyUiFields = {
  prompt: (example: string): JsonSchemaProperty => ({
    title: 'Prompt',
    description: 'What the video shows: subject, action, camera and light.',
    type: 'string',
    default: example,
  }),
  negativePrompt: (): JsonSchemaProperty => ({
    title: 'Negative prompt',
    description: "What the video should avoid. Leave it out for the workflow's default.",
    type: 'string',
  }),
  seed: (): JsonSchemaProperty => ({
    title: 'Seed',
    description: 'Random seed; the same seed and inputs give the same video. Drawn at random when left out.',
    type: 'integer',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
  }),
  steps: (fallback: number): JsonSchemaProperty => ({
    title: 'Steps',
    description: 'Sampler steps: more is slower and usually cleaner.',
    type: 'integer',
    minimum: 1,
    maximum: 60,
    default: fallback,
  }),
  cfg: (fallback: number): JsonSchemaProperty => ({
    title: 'CFG',
    description: 'Classifier-free guidance: how strictly the video follows the prompt.',
    type: 'number',
    minimum: 0,
    maximum: 20,
    default: fallback,
  }),
  duration: (from: number, to: number, fallback: number): JsonSchemaProperty => ({
    title: 'Duration (seconds)',
    description: `Integer seconds in [${from}, ${to}]. The frame count is snapped to the model's grid and the output trimmed to the exact duration.`,
    type: 'integer',
    minimum: from,
    maximum: to,
    default: fallback,
  }),
  resolution: (): JsonSchemaProperty => ({
    title: 'Resolution',
    description:
      "Output size class; the render is snapped to the model's size grid and conformed to the exact size.",
    type: 'string',
    enum: ['480p', '720p'],
    default: '480p',
  }),
  aspectRatio: (adaptive: boolean): JsonSchemaProperty => ({
    title: 'Aspect Ratio (W:H)',
    description: adaptive ? 'adaptive follows the first frame.' : '',
    type: 'string',
    enum: [...(adaptive ? ['adaptive'] : []), '16:9', '9:16', '4:3', '3:4', '1:1', '21:9'],
    default: adaptive ? 'adaptive' : '16:9',
  }),
  image: (title: string, description: string): JsonSchemaProperty => ({
    title,
    description,
    type: 'string',
    format: 'image_uri',
  }),
} as const;

/** No dialect other than RunComfy's path ids names these models. */
export const noAliases = { runflow: [], anyfast: [], modelark: [], openai: [] } as const;
