import type { GenerationTask } from '../../engine.ts';
import { loadJsonTemplates } from './json-workflow-template.ts';
import { ltx2T2vTemplate } from './ltx-2-t2v.ts';
import { wanFlf2v14bTemplate } from './wan-2-2-flf2v-14b.ts';
import { wanTi2v5bTemplate } from './wan-2-2-ti2v-5b.ts';
import type { WorkflowTemplate } from './workflow-template.ts';

/** The templates Reelgate ships. */
export const builtInTemplates: readonly WorkflowTemplate[] = [
  wanTi2v5bTemplate,
  wanFlf2v14bTemplate,
  ltx2T2vTemplate,
];

/** What {@link TemplateRegistry.select} answers: a template, or why none fits. */
export type TemplateChoice =
  | { readonly ok: true; readonly template: WorkflowTemplate }
  | { readonly ok: false; readonly reason: string };

/**
 * The workflow templates the engine can run. Operator templates come first, so one that names a
 * model (or a mode) replaces the built-in choice for it.
 */
export class TemplateRegistry {
  readonly templates: readonly WorkflowTemplate[];

  constructor(operatorTemplates: readonly WorkflowTemplate[] = []) {
    const ids = new Set<string>();
    for (const template of [...operatorTemplates, ...builtInTemplates]) {
      if (ids.has(template.id)) throw new Error(`two ComfyUI templates have the id "${template.id}"`);
      ids.add(template.id);
    }
    this.templates = [...operatorTemplates, ...builtInTemplates];
  }

  /** Built-in templates plus every JSON template in `folder` (when given). */
  static load(folder: string | undefined): TemplateRegistry {
    return new TemplateRegistry(folder === undefined ? [] : loadJsonTemplates(folder));
  }

  /**
   * The template for a task. A model with its own templates (the ComfyUI catalog models, or a
   * model an operator template names) uses them. Any other model routed here (a Seedance id) is
   * mapped by mode: text → Wan TI2V, or LTX-2 when audio is asked; first frame → Wan TI2V;
   * first + last frame → Wan FLF2V. Reference and video modes have no template.
   */
  select(task: Pick<GenerationTask, 'model' | 'mode' | 'generateAudio'>): TemplateChoice {
    const own = this.templates.filter((template) => template.models.includes(task.model));
    const candidates = own.length > 0 ? own : this.templates;
    const fitting = candidates.filter((template) => template.modes.includes(task.mode));
    const chosen = fitting.find((template) => template.audio === task.generateAudio) ?? fitting[0];
    if (chosen !== undefined) return { ok: true, template: chosen };
    const modes = [...new Set(candidates.flatMap((template) => template.modes))].join(', ');
    const subject = own.length > 0 ? `${task.model} on ComfyUI renders` : 'the ComfyUI templates render';
    return {
      ok: false,
      reason: `${subject} ${modes}; this request is ${task.mode}${task.mode === 'reference' || task.mode.startsWith('video-') ? ' (reference images, videos or audio have no ComfyUI template)' : ''}`,
    };
  }
}
