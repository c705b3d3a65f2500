import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '../../src/media/ffmpeg-binaries.ts';

const run = promisify(execFile);
const ffmpeg = resolveFfmpegBinaries({ searchPath: process.env['PATH'] }).ffmpeg;

/**
 * The node classes the fake ComfyUI knows, with the input rules ComfyUI's `validate_prompt`
 * checks (reference §1): required inputs, links to existing nodes, numeric min / max, and combo
 * membership (model files, uploaded images). Unknown classes are refused like a missing custom
 * node. Sizes and frame counts are NOT checked against their step, as in ComfyUI.
 */

type Rule =
  | { readonly kind: 'link' }
  | { readonly kind: 'number'; min?: number; max?: number }
  | { readonly kind: 'string' }
  | { readonly kind: 'combo'; readonly folder: string }
  | { readonly kind: 'any' };

const link: Rule = { kind: 'link' };
const text: Rule = { kind: 'string' };
const any: Rule = { kind: 'any' };
const number = (min?: number, max?: number): Rule => ({
  kind: 'number',
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
});
const combo = (folder: string): Rule => ({ kind: 'combo', folder });

/** Class → required input → rule. Optional inputs are accepted as sent. */
export const nodeClasses: Record<string, Record<string, Rule>> = {
  UNETLoader: { unet_name: combo('diffusion_models'), weight_dtype: text },
  CLIPLoader: { clip_name: combo('text_encoders'), type: text },
  VAELoader: { vae_name: combo('vae') },
  CheckpointLoaderSimple: { ckpt_name: combo('checkpoints') },
  LTXAVTextEncoderLoader: { text_encoder: combo('text_encoders'), ckpt_name: combo('checkpoints') },
  LTXVAudioVAELoader: { ckpt_name: combo('checkpoints') },
  LatentUpscaleModelLoader: { model_name: combo('latent_upscale_models') },
  LoraLoaderModelOnly: { model: link, lora_name: combo('loras'), strength_model: number(-100, 100) },
  ModelSamplingSD3: { model: link, shift: number(0, 100) },
  CLIPTextEncode: { clip: link, text },
  LoadImage: { image: combo('input') },
  Wan22ImageToVideoLatent: {
    vae: link,
    width: number(32, 16384),
    height: number(32, 16384),
    length: number(1, 16384),
    batch_size: number(1, 4096),
  },
  WanFirstLastFrameToVideo: {
    positive: link,
    negative: link,
    vae: link,
    width: number(16, 16384),
    height: number(16, 16384),
    length: number(1, 16384),
    batch_size: number(1, 4096),
  },
  KSampler: {
    model: link,
    positive: link,
    negative: link,
    latent_image: link,
    seed: number(0, 2 ** 64 - 1),
    steps: number(1, 10_000),
    cfg: number(0, 100),
    sampler_name: text,
    scheduler: text,
    denoise: number(0, 1),
  },
  KSamplerAdvanced: {
    model: link,
    positive: link,
    negative: link,
    latent_image: link,
    add_noise: text,
    noise_seed: number(0, 2 ** 64 - 1),
    steps: number(1, 10_000),
    cfg: number(0, 100),
    sampler_name: text,
    scheduler: text,
    start_at_step: number(0, 10_000),
    end_at_step: number(0, 10_000),
    return_with_leftover_noise: text,
  },
  VAEDecode: { samples: link, vae: link },
  VAEDecodeTiled: { samples: link, vae: link, tile_size: number(64, 4096), overlap: number(0, 4096) },
  CreateVideo: { images: link, fps: number(1, 120) },
  SaveVideo: { video: link, filename_prefix: text, format: text, codec: text },
  LTXVConditioning: { positive: link, negative: link, frame_rate: number(0, 1000) },
  EmptyLTXVLatentVideo: {
    width: number(64, 16384),
    height: number(64, 16384),
    length: number(1, 16384),
    batch_size: number(1, 4096),
  },
  LTXVEmptyLatentAudio: { audio_vae: link, frames_number: number(1, 16384), frame_rate: number(1, 1000) },
  LTXVConcatAVLatent: { video_latent: link, audio_latent: link },
  LTXVScheduler: { steps: number(1, 10_000), latent: link },
  CFGGuider: { model: link, positive: link, negative: link, cfg: number(0, 100) },
  RandomNoise: { noise_seed: number(0, 2 ** 64 - 1) },
  KSamplerSelect: { sampler_name: text },
  SamplerCustomAdvanced: { noise: link, guider: link, sampler: link, sigmas: link, latent_image: link },
  LTXVSeparateAVLatent: { av_latent: link },
  LTXVCropGuides: { positive: link, negative: link, latent: link },
  LTXVLatentUpsampler: { samples: link, upscale_model: link, vae: link },
  ManualSigmas: { sigmas: text },
  LTXVAudioVAEDecode: { samples: link, audio_vae: link },
  Note: { text: any },
};

/** Classes that save files (a prompt without one has no outputs). */
export const outputClasses = new Set(['SaveVideo']);
/** Classes that report per-step `progress`. */
export const samplerClasses = new Set(['KSampler', 'KSamplerAdvanced', 'SamplerCustomAdvanced']);

export interface GraphNode {
  readonly class_type: string;
  readonly inputs: Record<string, unknown>;
}

export interface InputError {
  readonly type: string;
  readonly message: string;
  readonly details: string;
  readonly extra_info: { input_name: string; received_value?: unknown };
}

/** Per-input errors of one node, as ComfyUI reports them; `limits` tighten numeric bounds. */
export function validateNode(
  graph: Readonly<Record<string, GraphNode>>,
  node: GraphNode,
  files: (folder: string) => readonly string[],
  limits: Readonly<Record<string, { min?: number; max?: number }>>,
): InputError[] {
  const rules = nodeClasses[node.class_type] ?? {};
  const errors: InputError[] = [];
  const fail = (input: string, type: string, message: string, details: string, received?: unknown) =>
    errors.push({ type, message, details, extra_info: { input_name: input, received_value: received } });
  for (const [input, rule] of Object.entries(rules)) {
    const value = node.inputs[input];
    if (value === undefined) {
      fail(input, 'required_input_missing', 'Required input is missing', input);
      continue;
    }
    if (Array.isArray(value)) {
      const source = graph[String(value[0])];
      if (source === undefined)
        fail(
          input,
          'bad_linked_input',
          'Bad linked input, must be a length-2 list of [node_id, slot_index]',
          input,
          value,
        );
      continue;
    }
    if (rule.kind === 'link') {
      fail(
        input,
        'bad_linked_input',
        'Bad linked input, must be a length-2 list of [node_id, slot_index]',
        input,
        value,
      );
    } else if (rule.kind === 'number') {
      const bounds = { ...rule, ...limits[`${node.class_type}.${input}`] };
      if (typeof value !== 'number')
        fail(input, 'invalid_input_type', 'Failed to convert an input value to a number', input, value);
      else if (bounds.min !== undefined && value < bounds.min)
        fail(
          input,
          'value_smaller_than_min',
          `Value ${value} smaller than min of ${bounds.min}`,
          `${input}, ${value} < ${bounds.min}`,
          value,
        );
      else if (bounds.max !== undefined && value > bounds.max)
        fail(
          input,
          'value_bigger_than_max',
          `Value ${value} bigger than max of ${bounds.max}`,
          `${input}, ${value} > ${bounds.max}`,
          value,
        );
    } else if (rule.kind === 'combo') {
      const options = files(rule.folder);
      if (!options.includes(String(value))) {
        fail(
          input,
          'value_not_in_list',
          'Value not in list',
          `${input}: '${String(value)}' not in [${options.map((option) => `'${option}'`).join(', ')}]`,
          value,
        );
      }
    } else if (rule.kind === 'string' && typeof value !== 'string') {
      fail(input, 'invalid_input_type', 'Failed to convert an input value to a string', input, value);
    }
  }
  return errors;
}

/** What the fake renders for a graph: picture size, frame count, fps, and whether audio is attached. */
export function renderPlan(graph: Readonly<Record<string, GraphNode>>): {
  width: number;
  height: number;
  frames: number;
  fps: number;
  audio: boolean;
} {
  const nodes = Object.values(graph);
  const latent = nodes.find((node) =>
    ['Wan22ImageToVideoLatent', 'WanFirstLastFrameToVideo', 'EmptyLTXVLatentVideo'].includes(node.class_type),
  );
  const create = nodes.find((node) => node.class_type === 'CreateVideo');
  // LTX-2 samples at half size and upsamples the latent ×2.
  const scale = nodes.some((node) => node.class_type === 'LTXVLatentUpsampler') ? 2 : 1;
  return {
    width: Number(latent?.inputs['width'] ?? 256) * scale,
    height: Number(latent?.inputs['height'] ?? 256) * scale,
    frames: Number(latent?.inputs['length'] ?? 25),
    fps: Number(create?.inputs['fps'] ?? 24),
    audio: create?.inputs['audio'] !== undefined,
  };
}

/** Steps a sampler node runs (what its `progress.max` is). */
export function samplerSteps(graph: Readonly<Record<string, GraphNode>>, node: GraphNode): number {
  if (node.class_type === 'KSampler') return Number(node.inputs['steps']);
  if (node.class_type === 'KSamplerAdvanced') {
    const steps = Number(node.inputs['steps']);
    return Math.max(
      1,
      Math.min(steps, Number(node.inputs['end_at_step'])) - Number(node.inputs['start_at_step']),
    );
  }
  const sigmas = node.inputs['sigmas'];
  const source = Array.isArray(sigmas) ? graph[String(sigmas[0])] : undefined;
  if (source?.class_type === 'LTXVScheduler') return Number(source.inputs['steps']);
  if (source?.class_type === 'ManualSigmas') return String(source.inputs['sigmas']).split(',').length - 1;
  return 1;
}

/**
 * "Renders" a graph as SaveVideo would name it (`{prefix}_{counter:05}_.mp4` under the prefix's
 * folder): testsrc2 at the graph's size, frames and fps, with a sine track when audio is attached.
 */
export async function renderVideo(
  graph: Readonly<Record<string, GraphNode>>,
  prefix: string,
  counter: number,
  outputDirectory: string,
): Promise<{ filename: string; subfolder: string; type: 'output' }> {
  const plan = renderPlan(graph);
  const subfolder = path.dirname(prefix) === '.' ? '' : path.dirname(prefix);
  const filename = `${path.basename(prefix)}_${String(counter).padStart(5, '0')}_.mp4`;
  await mkdir(path.join(outputDirectory, subfolder), { recursive: true });
  const seconds = plan.frames / plan.fps;
  await run(ffmpeg, [
    ...[
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${plan.width}x${plan.height}:rate=${plan.fps}`,
    ],
    ...(plan.audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`] : []),
    ...['-frames:v', String(plan.frames), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...(plan.audio ? ['-c:a', 'aac', '-shortest'] : []),
    path.join(outputDirectory, subfolder, filename),
  ]);
  return { filename, subfolder, type: 'output' };
}
