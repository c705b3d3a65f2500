import { z } from 'zod';
import type { BuiltWorkflow, PromptGraph, TemplateInput, WorkflowTemplate } from './workflow-template.ts';
import { commonParameters, parameterSource, parseParameters, snapToGrid } from './workflow-template.ts';

/**
 * Wan 2.2 TI2V 5B: text-to-video, or image-to-video from a first frame, in one graph (the
 * ComfyUI 5B template; reference §3a). The latent wants sizes in multiples of 32 and 4n+1 frames;
 * the model renders 24 fps.
 */
export const wanTi2vFiles = {
  diffusionModel: 'wan2.2_ti2v_5B_fp16.safetensors',
  textEncoder: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors',
  vae: 'wan2.2_vae.safetensors',
} as const;

/** Reelgate's default negative prompt for Wan: the usual artefacts of video diffusion models. */
export const wanNegativePrompt =
  'blurry, low quality, frozen frame, flicker, watermark, subtitles, text, oversaturated, deformed hands, extra limbs, distorted face, compression artifacts';

export const wanTi2vParameters = commonParameters({
  negativePrompt: wanNegativePrompt,
  steps: 20,
  cfg: 5,
}).extend({
  width: z.number().int().min(32).max(4096),
  height: z.number().int().min(32).max(4096),
  frames: z.number().int().min(1).max(1001),
  /** The uploaded first frame; absent for text-to-video. */
  image: z.string().min(1).optional(),
});

export type WanTi2vParameters = z.infer<typeof wanTi2vParameters>;

const fps = 24;

/** The API-format graph for already snapped parameters. */
export function buildWanTi2vGraph(parameters: WanTi2vParameters): PromptGraph {
  const graph: Record<string, { class_type: string; inputs: Record<string, unknown> }> = {
    '37': {
      class_type: 'UNETLoader',
      inputs: { unet_name: wanTi2vFiles.diffusionModel, weight_dtype: 'default' },
    },
    '38': {
      class_type: 'CLIPLoader',
      inputs: { clip_name: wanTi2vFiles.textEncoder, type: 'wan', device: 'default' },
    },
    '39': { class_type: 'VAELoader', inputs: { vae_name: wanTi2vFiles.vae } },
    '48': { class_type: 'ModelSamplingSD3', inputs: { model: ['37', 0], shift: 8 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { clip: ['38', 0], text: parameters.prompt } },
    '7': { class_type: 'CLIPTextEncode', inputs: { clip: ['38', 0], text: parameters.negative_prompt } },
    '55': {
      class_type: 'Wan22ImageToVideoLatent',
      inputs: {
        vae: ['39', 0],
        width: parameters.width,
        height: parameters.height,
        length: parameters.frames,
        batch_size: 1,
        ...(parameters.image === undefined ? {} : { start_image: ['56', 0] }),
      },
    },
    '3': {
      class_type: 'KSampler',
      inputs: {
        model: ['48', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['55', 0],
        seed: parameters.seed,
        steps: parameters.steps,
        cfg: parameters.cfg,
        sampler_name: 'uni_pc',
        scheduler: 'simple',
        denoise: 1,
      },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['39', 0] } },
    '57': { class_type: 'CreateVideo', inputs: { images: ['8', 0], fps } },
    '58': {
      class_type: 'SaveVideo',
      inputs: { video: ['57', 0], filename_prefix: 'video/reelgate-wan-5b', format: 'auto', codec: 'auto' },
    },
  };
  if (parameters.image !== undefined) {
    graph['56'] = { class_type: 'LoadImage', inputs: { image: parameters.image } };
  }
  return graph;
}

function build(input: TemplateInput): BuiltWorkflow {
  const { snaps, ...snapped } = snapToGrid(input, { size: 32, frames: 4, fps });
  const parameters = parseParameters(templateId, wanTi2vParameters, {
    ...parameterSource(input),
    ...snapped,
    ...(input.images[0] === undefined ? {} : { image: input.images[0] }),
  });
  return {
    graph: buildWanTi2vGraph(parameters),
    outputNode: '58',
    samplerWeights: { '3': 1 },
    snaps,
    modelFiles: [
      { folder: 'diffusion_models', file: wanTi2vFiles.diffusionModel },
      { folder: 'text_encoders', file: wanTi2vFiles.textEncoder },
      { folder: 'vae', file: wanTi2vFiles.vae },
    ],
    parameters: { ...parameters, fps },
  };
}

const templateId = 'wan-2.2-ti2v-5b';

export const wanTi2v5bTemplate: WorkflowTemplate = {
  id: templateId,
  description: 'Wan 2.2 TI2V 5B: text-to-video or first-frame image-to-video, 24 fps',
  modes: ['text-to-video', 'first-frame'],
  audio: false,
  models: ['wan/wan-2.2/ti2v-5b'],
  build,
};
