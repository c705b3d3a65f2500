import { z } from 'zod';
import type { BuiltWorkflow, PromptGraph, TemplateInput, WorkflowTemplate } from './workflow-template.ts';
import { commonParameters, parameterSource, parseParameters, snapToGrid } from './workflow-template.ts';

/**
 * LTX-2 19B text-to-video with its own soundtrack (reference §3c): stage 1 samples audio + video
 * at half size, the latent is upscaled ×2, and a 3-sigma pass with the distilled LoRA refines it.
 * The output size must be a multiple of 64 (stage 1 works on half of it in steps of 32) and the
 * frame count 8n+1; the frame rate is the same in the three nodes that carry it.
 */
export const ltx2Files = {
  checkpoint: 'ltx-2-19b-dev-fp8.safetensors',
  textEncoder: 'gemma_3_12B_it_fp4_mixed.safetensors',
  distilledLora: 'ltx-2-19b-distilled-lora-384.safetensors',
  upscaler: 'ltx-2-spatial-upscaler-x2-1.0.safetensors',
} as const;

/** Reelgate's default negative prompt for LTX-2. */
export const ltx2NegativePrompt =
  'low quality, blurry, jittery motion, frozen frame, watermark, captions, text overlay';

export const ltx2Parameters = commonParameters({
  negativePrompt: ltx2NegativePrompt,
  steps: 20,
  cfg: 4,
}).extend({
  width: z.number().int().min(64).max(4096).multipleOf(64),
  height: z.number().int().min(64).max(4096).multipleOf(64),
  frames: z.number().int().min(9).max(1001),
});

export type Ltx2Parameters = z.infer<typeof ltx2Parameters>;

const fps = 24;
/** The refine pass's fixed schedule: three steps. */
const refineSigmas = '0.909375, 0.725, 0.421875, 0.0';

/** The API-format graph for already snapped parameters. */
export function buildLtx2Graph(parameters: Ltx2Parameters): PromptGraph {
  const checkpoint = ltx2Files.checkpoint;
  return {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: checkpoint } },
    '60': {
      class_type: 'LTXAVTextEncoderLoader',
      inputs: { text_encoder: ltx2Files.textEncoder, ckpt_name: checkpoint, device: 'default' },
    },
    '48': { class_type: 'LTXVAudioVAELoader', inputs: { ckpt_name: checkpoint } },
    '76': { class_type: 'LatentUpscaleModelLoader', inputs: { model_name: ltx2Files.upscaler } },
    '68': {
      class_type: 'LoraLoaderModelOnly',
      inputs: { model: ['1', 0], lora_name: ltx2Files.distilledLora, strength_model: 1 },
    },
    '3': { class_type: 'CLIPTextEncode', inputs: { clip: ['60', 0], text: parameters.prompt } },
    '4': { class_type: 'CLIPTextEncode', inputs: { clip: ['60', 0], text: parameters.negative_prompt } },
    '22': {
      class_type: 'LTXVConditioning',
      inputs: { positive: ['3', 0], negative: ['4', 0], frame_rate: fps },
    },
    '43': {
      class_type: 'EmptyLTXVLatentVideo',
      inputs: {
        width: parameters.width / 2,
        height: parameters.height / 2,
        length: parameters.frames,
        batch_size: 1,
      },
    },
    '51': {
      class_type: 'LTXVEmptyLatentAudio',
      inputs: { audio_vae: ['48', 0], frames_number: parameters.frames, frame_rate: fps, batch_size: 1 },
    },
    '56': { class_type: 'LTXVConcatAVLatent', inputs: { video_latent: ['43', 0], audio_latent: ['51', 0] } },
    '9': {
      class_type: 'LTXVScheduler',
      inputs: {
        steps: parameters.steps,
        max_shift: 2.05,
        base_shift: 0.95,
        stretch: true,
        terminal: 0.1,
        latent: ['56', 0],
      },
    },
    '47': {
      class_type: 'CFGGuider',
      inputs: { model: ['1', 0], positive: ['22', 0], negative: ['22', 1], cfg: parameters.cfg },
    },
    '11': { class_type: 'RandomNoise', inputs: { noise_seed: parameters.seed } },
    '8': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler_ancestral' } },
    '41': {
      class_type: 'SamplerCustomAdvanced',
      inputs: {
        noise: ['11', 0],
        guider: ['47', 0],
        sampler: ['8', 0],
        sigmas: ['9', 0],
        latent_image: ['56', 0],
      },
    },
    '80': { class_type: 'LTXVSeparateAVLatent', inputs: { av_latent: ['41', 0] } },
    '81': {
      class_type: 'LTXVCropGuides',
      inputs: { positive: ['22', 0], negative: ['22', 1], latent: ['80', 0] },
    },
    '84': {
      class_type: 'LTXVLatentUpsampler',
      inputs: { samples: ['81', 2], upscale_model: ['76', 0], vae: ['1', 2] },
    },
    '83': { class_type: 'LTXVConcatAVLatent', inputs: { video_latent: ['84', 0], audio_latent: ['80', 1] } },
    '82': {
      class_type: 'CFGGuider',
      inputs: { model: ['68', 0], positive: ['81', 0], negative: ['81', 1], cfg: 1 },
    },
    '67': { class_type: 'RandomNoise', inputs: { noise_seed: 0 } },
    '66': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler_ancestral' } },
    '73': { class_type: 'ManualSigmas', inputs: { sigmas: refineSigmas } },
    '70': {
      class_type: 'SamplerCustomAdvanced',
      inputs: {
        noise: ['67', 0],
        guider: ['82', 0],
        sampler: ['66', 0],
        sigmas: ['73', 0],
        latent_image: ['83', 0],
      },
    },
    '94': { class_type: 'LTXVSeparateAVLatent', inputs: { av_latent: ['70', 1] } },
    '98': {
      class_type: 'VAEDecodeTiled',
      inputs: {
        samples: ['94', 0],
        vae: ['1', 2],
        tile_size: 512,
        overlap: 64,
        temporal_size: 4096,
        temporal_overlap: 8,
      },
    },
    '96': { class_type: 'LTXVAudioVAEDecode', inputs: { samples: ['94', 1], audio_vae: ['48', 0] } },
    '97': { class_type: 'CreateVideo', inputs: { images: ['98', 0], audio: ['96', 0], fps } },
    '75': {
      class_type: 'SaveVideo',
      inputs: { video: ['97', 0], filename_prefix: 'video/reelgate-ltx-2', format: 'auto', codec: 'auto' },
    },
  };
}

function build(input: TemplateInput): BuiltWorkflow {
  const { snaps, ...snapped } = snapToGrid(input, { size: 64, frames: 8, fps });
  const parameters = parseParameters(templateId, ltx2Parameters, {
    ...parameterSource(input),
    ...snapped,
  });
  const refineSteps = refineSigmas.split(',').length - 1;
  const total = parameters.steps + refineSteps;
  return {
    graph: buildLtx2Graph(parameters),
    outputNode: '75',
    samplerWeights: { '41': parameters.steps / total, '70': refineSteps / total },
    snaps,
    modelFiles: [
      { folder: 'checkpoints', file: ltx2Files.checkpoint },
      { folder: 'text_encoders', file: ltx2Files.textEncoder },
      { folder: 'loras', file: ltx2Files.distilledLora },
      { folder: 'latent_upscale_models', file: ltx2Files.upscaler },
    ],
    parameters: { ...parameters, fps },
  };
}

const templateId = 'ltx-2-t2v';

export const ltx2T2vTemplate: WorkflowTemplate = {
  id: templateId,
  description: 'LTX-2 19B text-to-video with a generated soundtrack, 24 fps',
  modes: ['text-to-video'],
  audio: true,
  models: ['lightricks/ltx-2'],
  build,
};
