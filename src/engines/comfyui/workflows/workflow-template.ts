import { z } from 'zod';
import { AppError } from '../../../domain/app-error.ts';
import type { GenerationMode } from '../../../domain/generation-request.ts';

/**
 * The contract between the ComfyUI engine and a workflow template. A template is data plus one
 * pure function: it says which modes it renders and turns exact numbers from the task (and the
 * names ComfyUI gave the uploaded images) into an API-format prompt graph. Templates know nothing
 * about HTTP; the engine knows nothing about node ids.
 */

/** One node of an API-format prompt graph: `{class_type, inputs}`; a link is `["<node>", index]`. */
export interface PromptNode {
  readonly class_type: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** The API-format graph posted as `prompt` to `POST /prompt`, by node id. */
export type PromptGraph = Readonly<Record<string, PromptNode>>;

/** What the engine hands every template, in the task's own terms. */
export interface TemplateInput {
  readonly prompt: string;
  /** Model parameters the client gave through the catalog schema (negative_prompt, steps, cfg…). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** The exact output size the pipeline will deliver; the template snaps it to its model's grid. */
  readonly width: number;
  readonly height: number;
  readonly durationSeconds: number;
  /** Uploaded image names as `/upload/image` returned them, in role order (first frame, last frame). */
  readonly images: readonly string[];
}

/** A value changed to fit the model's grid, reported in the job log and the result metadata. */
export interface Snap {
  readonly parameter: 'width' | 'height' | 'frames';
  readonly requested: number;
  readonly used: number;
  readonly rule: string;
}

/** A model file the graph loads, by its ComfyUI models folder (checked with `GET /models/{folder}`). */
export interface ModelFile {
  readonly folder: string;
  readonly file: string;
}

export interface BuiltWorkflow {
  readonly graph: PromptGraph;
  /** The saving node whose output is the video. */
  readonly outputNode: string;
  /** Sampler node id → its share of the sampling progress (the shares add up to 1). */
  readonly samplerWeights: Readonly<Record<string, number>>;
  readonly snaps: readonly Snap[];
  readonly modelFiles: readonly ModelFile[];
  /** The parameters as rendered, after defaults and snapping (recorded in the job's metadata). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface WorkflowTemplate {
  /** Stable id, recorded in the job's metadata (`wan-2.2-ti2v-5b`). */
  readonly id: string;
  readonly description: string;
  readonly modes: readonly GenerationMode[];
  /** Whether the rendered video carries a soundtrack the model made. */
  readonly audio: boolean;
  /** Catalog model ids this template is the first choice for. */
  readonly models: readonly string[];
  build(input: TemplateInput): BuiltWorkflow;
}

/** Largest seed a JS number holds exactly; ComfyUI accepts up to 2^64 − 1. */
export const maxSeed = Number.MAX_SAFE_INTEGER;

/** The parameters every built-in template shares; each adds its own defaults and bounds. */
export function commonParameters(defaults: {
  negativePrompt: string;
  steps: number;
  cfg: number;
  maxSteps?: number;
}) {
  return z.object({
    prompt: z.string().min(1),
    negative_prompt: z.string().default(defaults.negativePrompt),
    seed: z.number().int().min(0).max(maxSeed),
    steps: z
      .number()
      .int()
      .min(1)
      .max(defaults.maxSteps ?? 100)
      .default(defaults.steps),
    cfg: z.number().min(0).max(30).default(defaults.cfg),
  });
}

/**
 * Parses a template's parameters; a value out of bounds is a non-retryable job error naming the
 * parameter and the template (the catalog normally refuses it at submit already).
 */
export function parseParameters<Schema extends z.ZodType>(
  templateId: string,
  schema: Schema,
  value: unknown,
): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  throw new AppError('engine_failed', `workflow ${templateId}: ${problems.join('; ')}`);
}

/** The inputs of {@link TemplateInput} flattened for a template's zod schema. */
export function parameterSource(input: TemplateInput): Record<string, unknown> {
  // The task's own prompt and seed win over anything of the same name in the client parameters.
  return { ...input.parameters, prompt: input.prompt, seed: input.seed };
}

/** `value` rounded to the nearest multiple of `step` (at least `step`), and the snap if it moved. */
export function snapSize(
  parameter: 'width' | 'height',
  value: number,
  step: number,
): { value: number; snaps: Snap[] } {
  const used = Math.max(step, Math.round(value / step) * step);
  return {
    value: used,
    snaps: used === value ? [] : [{ parameter, requested: value, used, rule: `multiple of ${step}` }],
  };
}

/**
 * The smallest frame count `step·n + 1` that covers `seconds` at `fps`: the model's latent packs
 * `step` frames after the first, and rounding up means the pipeline trims rather than pads.
 */
export function snapFrames(seconds: number, fps: number, step: number): { value: number; snaps: Snap[] } {
  const requested = Math.round(seconds * fps);
  const used = Math.max(1, Math.ceil((requested - 1) / step)) * step + 1;
  return {
    value: used,
    snaps:
      used === requested ? [] : [{ parameter: 'frames', requested, used, rule: `${step}n+1 at ${fps} fps` }],
  };
}

/** A model's grid: sizes in multiples of `size`, `frames`·n + 1 frames at `fps`. */
export interface ModelGrid {
  readonly size: number;
  readonly frames: number;
  readonly fps: number;
}

/** The task's size and duration snapped to a model's grid, with every snap that moved a value. */
export function snapToGrid(
  input: TemplateInput,
  grid: ModelGrid,
): { width: number; height: number; frames: number; snaps: Snap[] } {
  const width = snapSize('width', input.width, grid.size);
  const height = snapSize('height', input.height, grid.size);
  const frames = snapFrames(input.durationSeconds, grid.fps, grid.frames);
  return {
    width: width.value,
    height: height.value,
    frames: frames.value,
    snaps: [...width.snaps, ...height.snaps, ...frames.snaps],
  };
}
