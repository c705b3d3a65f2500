import { z } from 'zod';
import { wanNegativePrompt } from './wan-2-2-ti2v-5b.ts';
import type { BuiltWorkflow, PromptGraph, TemplateInput, WorkflowTemplate } from './workflow-template.ts';
import { commonParameters, parameterSource, parseParameters, snapToGrid } from './workflow-template.ts';

/**
 * Wan 2.2 14B first + last frame (reference §3b): a high-noise and a low-noise expert, each a
 * KSamplerAdvanced running half of the steps. Sizes in multiples of 16, 4n+1 frames, 16 fps (the
 * pipeline conforms the result to 24 fps).
 */
export const wanFlf2vFiles = {
  highNoise: 'wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors',
  lowNoise: 'wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors',
  textEncoder: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors',
  vae: 'wan_2.1_vae.safetensors',
} as const;

export const wanFlf2vParameters = commonParameters({
  negativePrompt: wanNegativePrompt,
  steps: 20,
  cfg: 4,
}).extend({
  width: z.number().int().min(16).max(4096),
  height: z.number().int().min(16).max(4096),
  frames: z.number().int().min(1).max(1001),
  first_image: z.string().min(1),
  last_image: z.string().min(1),
});

export type WanFlf2vParameters = z.infer<typeof wanFlf2vParameters>;

const fps = 16;

/** The API-format graph for already snapped parameters; the experts split the steps in half. */
export function buildWanFlf2vGraph(parameters: WanFlf2vParameters): PromptGraph {
  const split = Math.max(1, Math.floor(parameters.steps / 2));
  const sampler = {
    positive: ['81', 0],
    negative: ['81', 1],
    steps: parameters.steps,
    cfg: parameters.cfg,
    sampler_name: 'euler',
    scheduler: 'simple',
  };
  return {
    '76': {
      class_type: 'UNETLoader',
      inputs: { unet_name: wanFlf2vFiles.highNoise, weight_dtype: 'default' },
    },
    '77': {
      class_type: 'UNETLoader',
      inputs: { unet_name: wanFlf2vFiles.lowNoise, weight_dtype: 'default' },
    },
    '72': {
      class_type: 'CLIPLoader',
      inputs: { clip_name: wanFlf2vFiles.textEncoder, type: 'wan', device: 'default' },
    },
    '79': { class_type: 'VAELoader', inputs: { vae_name: wanFlf2vFiles.vae } },
    '73': { class_type: 'ModelSamplingSD3', inputs: { model: ['76', 0], shift: 8 } },
    '74': { class_type: 'ModelSamplingSD3', inputs: { model: ['77', 0], shift: 8 } },
    '90': { class_type: 'CLIPTextEncode', inputs: { clip: ['72', 0], text: parameters.prompt } },
    '78': { class_type: 'CLIPTextEncode', inputs: { clip: ['72', 0], text: parameters.negative_prompt } },
    '80': { class_type: 'LoadImage', inputs: { image: parameters.first_image } },
    '89': { class_type: 'LoadImage', inputs: { image: parameters.last_image } },
    '81': {
      class_type: 'WanFirstLastFrameToVideo',
      inputs: {
        positive: ['90', 0],
        negative: ['78', 0],
        vae: ['79', 0],
        width: parameters.width,
        height: parameters.height,
        length: parameters.frames,
        batch_size: 1,
        start_image: ['80', 0],
        end_image: ['89', 0],
      },
    },
    '84': {
      class_type: 'KSamplerAdvanced',
      inputs: {
        ...sampler,
        model: ['73', 0],
        latent_image: ['81', 2],
        add_noise: 'enable',
        noise_seed: parameters.seed,
        start_at_step: 0,
        end_at_step: split,
        return_with_leftover_noise: 'enable',
      },
    },
    '87': {
      class_type: 'KSamplerAdvanced',
      inputs: {
        ...sampler,
        model: ['74', 0],
        latent_image: ['84', 0],
        add_noise: 'disable',
        noise_seed: 0,
        start_at_step: split,
        end_at_step: 10_000,
        return_with_leftover_noise: 'disable',
      },
    },
    '85': { class_type: 'VAEDecode', inputs: { samples: ['87', 0], vae: ['79', 0] } },
    '86': { class_type: 'CreateVideo', inputs: { images: ['85', 0], fps } },
    '83': {
      class_type: 'SaveVideo',
      inputs: {
        video: ['86', 0],
        filename_prefix: 'video/reelgate-wan-flf2v',
        format: 'auto',
        codec: 'auto',
      },
    },
  };
}

function build(input: TemplateInput): BuiltWorkflow {
  const { snaps, ...snapped } = snapToGrid(input, { size: 16, frames: 4, fps });
  const parameters = parseParameters(templateId, wanFlf2vParameters, {
    ...parameterSource(input),
    ...snapped,
    first_image: input.images[0],
    last_image: input.images[1],
  });
  const split = Math.max(1, Math.floor(parameters.steps / 2));
  return {
    graph: buildWanFlf2vGraph(parameters),
    outputNode: '83',
    // Each expert reports its own 0…steps range but runs only its share of the steps.
    samplerWeights: { '84': split / parameters.steps, '87': 1 - split / parameters.steps },
    snaps,
    modelFiles: [
      { folder: 'diffusion_models', file: wanFlf2vFiles.highNoise },
      { folder: 'diffusion_models', file: wanFlf2vFiles.lowNoise },
      { folder: 'text_encoders', file: wanFlf2vFiles.textEncoder },
      { folder: 'vae', file: wanFlf2vFiles.vae },
    ],
    parameters: { ...parameters, fps },
  };
}

const templateId = 'wan-2.2-flf2v-14b';

export const wanFlf2v14bTemplate: WorkflowTemplate = {
  id: templateId,
  description: 'Wan 2.2 14B first + last frame to video, 16 fps',
  modes: ['first-last-frame'],
  audio: false,
  models: ['wan/wan-2.2/flf2v-14b'],
  build,
};
