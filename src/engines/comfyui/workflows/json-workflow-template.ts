import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GenerationMode } from '../../../domain/generation-request.ts';
import type { BuiltWorkflow, PromptGraph, TemplateInput, WorkflowTemplate } from './workflow-template.ts';
import { maxSeed, parameterSource, parseParameters, snapToGrid } from './workflow-template.ts';

/**
 * Operator templates: a JSON file holding a workflow exported with ComfyUI's "Export (API)" and a
 * map saying which node input receives each parameter. Dropping such a file into the folder named
 * by REELGATE_COMFYUI_TEMPLATES adds a template without touching the engine (docs/ENGINES.md).
 */

const generationModes = [
  'text-to-video',
  'first-frame',
  'first-last-frame',
  'reference',
  'video-edit',
  'video-extension',
] as const satisfies readonly GenerationMode[];

/** `"<node id>.<input name>"`: where a parameter goes in the graph. */
const target = z.string().regex(/^[^.]+\.[^.]+$/, 'a target is "<node id>.<input name>"');
const targets = z
  .union([target, z.array(target).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value]));

const nodeSchema = z.object({ class_type: z.string().min(1), inputs: z.record(z.string(), z.unknown()) });

export const jsonTemplateSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'id must be lowercase letters, digits, ".", "_" or "-"'),
  description: z.string().default(''),
  modes: z.array(z.enum(generationModes)).min(1),
  audio: z.boolean().default(false),
  models: z.array(z.string().min(1)).default([]),
  /** Frame rate the workflow renders at (the pipeline conforms the result to 24 fps). */
  fps: z.number().int().min(1).max(120).default(24),
  /** The model's grid: sizes are snapped to multiples of `size`, frame counts to `frames`·n + 1. */
  grid: z
    .strictObject({ size: z.number().int().min(1).default(16), frames: z.number().int().min(1).default(4) })
    .default({
      size: 16,
      frames: 4,
    }),
  output_node: z.string().min(1),
  /** Sampler node id → relative weight of its steps in the progress bar. */
  sampler_nodes: z.record(z.string(), z.number().positive()).default({}),
  defaults: z
    .strictObject({
      negative_prompt: z.string().optional(),
      steps: z.number().int().min(1).optional(),
      cfg: z.number().min(0).optional(),
    })
    .default({}),
  model_files: z.array(z.strictObject({ folder: z.string().min(1), file: z.string().min(1) })).default([]),
  parameters: z.strictObject({
    prompt: targets,
    seed: targets,
    negative_prompt: targets.optional(),
    width: targets.optional(),
    height: targets.optional(),
    frames: targets.optional(),
    fps: targets.optional(),
    steps: targets.optional(),
    cfg: targets.optional(),
    /** One entry per image input, in role order (first frame, last frame). */
    images: z.array(target).default([]),
  }),
  workflow: z.record(z.string(), nodeSchema),
});

export type JsonTemplateDefinition = z.infer<typeof jsonTemplateSchema>;

/** Values a JSON template accepts from the client's model parameters, with generic bounds. */
const clientParameters = z.object({
  negative_prompt: z.string().optional(),
  steps: z.number().int().min(1).max(1000).optional(),
  cfg: z.number().min(0).max(100).optional(),
  seed: z.number().int().min(0).max(maxSeed),
  prompt: z.string().min(1),
});

/** Turns a validated definition into a template; throws naming the file on a broken reference. */
export function jsonWorkflowTemplate(definition: JsonTemplateDefinition, source: string): WorkflowTemplate {
  const graph = definition.workflow;
  const check = (name: string, list: readonly string[]) => {
    for (const entry of list) {
      const [node = ''] = entry.split('.');
      if (graph[node] === undefined)
        throw new Error(`${source}: parameters.${name} names node "${node}", which the workflow lacks`);
    }
  };
  for (const [name, list] of Object.entries(definition.parameters)) if (list !== undefined) check(name, list);
  check('output_node', [`${definition.output_node}.x`]);
  check(
    'sampler_nodes',
    Object.keys(definition.sampler_nodes).map((node) => `${node}.x`),
  );

  const build = (input: TemplateInput): BuiltWorkflow => {
    const client = parseParameters(definition.id, clientParameters, parameterSource(input));
    const snapped = snapToGrid(input, { ...definition.grid, fps: definition.fps });
    const values: Record<string, unknown> = {
      prompt: client.prompt,
      seed: client.seed,
      negative_prompt: client.negative_prompt ?? definition.defaults.negative_prompt,
      steps: client.steps ?? definition.defaults.steps,
      cfg: client.cfg ?? definition.defaults.cfg,
      width: snapped.width,
      height: snapped.height,
      frames: snapped.frames,
      fps: definition.fps,
    };
    const filled = structuredClone(graph) as Record<
      string,
      { class_type: string; inputs: Record<string, unknown> }
    >;
    const place = (entry: string, value: unknown) => {
      const [node = '', name = ''] = entry.split('.');
      const target = filled[node];
      if (target !== undefined && value !== undefined) target.inputs[name] = value;
    };
    const { images, ...scalar } = definition.parameters;
    for (const [name, list] of Object.entries(scalar))
      for (const entry of list ?? []) place(entry, values[name]);
    images.forEach((entry, index) => place(entry, input.images[index]));
    return {
      graph: filled as PromptGraph,
      outputNode: definition.output_node,
      samplerWeights: normalise(definition.sampler_nodes),
      // Only a value the workflow receives was snapped; the rest stays as the workflow has it.
      snaps: snapped.snaps.filter((snap) => definition.parameters[snap.parameter] !== undefined),
      modelFiles: definition.model_files,
      parameters: Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)),
    };
  };
  return {
    id: definition.id,
    description: definition.description || `operator template from ${path.basename(source)}`,
    modes: definition.modes,
    audio: definition.audio,
    models: definition.models,
    build,
  };
}

function normalise(weights: Readonly<Record<string, number>>): Record<string, number> {
  const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
  return Object.fromEntries(Object.entries(weights).map(([node, weight]) => [node, weight / total]));
}

/**
 * Every `*.json` template in `folder`, sorted by file name. Read once at start; a broken file stops
 * the start with one line naming the file and the problem.
 */
export function loadJsonTemplates(folder: string): WorkflowTemplate[] {
  const files = readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort();
  return files.map((name) => {
    const file = path.join(folder, name);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`ComfyUI template ${file}: ${(error as Error).message}`, { cause: error });
    }
    const parsed = jsonTemplateSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`,
      );
      throw new Error(`ComfyUI template ${file}: ${problems.join('; ')}`);
    }
    return jsonWorkflowTemplate(parsed.data, file);
  });
}
