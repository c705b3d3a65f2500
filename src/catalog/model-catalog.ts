import { AppError } from '../domain/app-error.ts';
import type { ValidatedInput } from './input-validator.ts';
import { validateInput, zodFromJsonSchema } from './input-validator.ts';
import type { ModelSpec } from './model-spec.ts';
import { seedance10ProFast } from './seedance-1-0-pro-fast.ts';
import { seedance2Fast, seedance2Pro } from './seedance-2.ts';
import { ltx2 } from './ltx-2.ts';
import { wan22Flf2v14b, wan22Ti2v5b } from './wan-2-2.ts';

/** A catalog entry with its validator compiled once. */
export interface CatalogModel {
  readonly spec: ModelSpec;
  /** Validates a dialect's input object; throws AppError('validation_failed') with every issue. */
  validate(input: unknown, fieldPrefix?: string): ValidatedInput;
}

/** The models this server offers, by id. */
export class ModelCatalog {
  /** Every id of every model (RunComfy path id and each dialect's aliases) → the model. */
  private readonly byId = new Map<string, CatalogModel>();
  private readonly models: CatalogModel[] = [];

  constructor(specs: readonly ModelSpec[]) {
    for (const spec of specs) {
      const validator = zodFromJsonSchema(spec.inputSchema);
      const model: CatalogModel = {
        spec,
        validate: (input, fieldPrefix) => validateInput(validator, spec.inputSchema, input, fieldPrefix),
      };
      this.models.push(model);
      for (const id of modelIds(spec)) {
        if (this.byId.has(id)) throw new Error(`model id "${id}" is used by two catalog models`);
        this.byId.set(id, model);
      }
    }
  }

  /** The model, or AppError('unknown_model') naming the id and the models there are. */
  /** The model with this id or alias, or AppError('unknown_model') naming the id and the models there are. */
  get(id: string, field = 'model'): CatalogModel {
    const model = this.byId.get(id);
    if (model === undefined) {
      throw new AppError(
        'unknown_model',
        `model "${id}" is not available here; available models: ${this.models.map((entry) => entry.spec.id).join(', ')}`,
        { field },
      );
    }
    return model;
  }

  find(id: string): CatalogModel | undefined {
    return this.byId.get(id);
  }

  list(): CatalogModel[] {
    return [...this.models];
  }
}

/** The model's RunComfy id followed by all its aliases. */
export function modelIds(spec: ModelSpec): string[] {
  const aliases = spec.aliases;
  return [spec.id, ...aliases.runflow, ...aliases.anyfast, ...aliases.modelark, ...aliases.openai];
}

/**
 * The built-in catalog: the three seed models, plus the models ComfyUI serves (Wan 2.2, LTX-2)
 * when ComfyUI servers are configured — a server never advertises a model it cannot run.
 */
export function defaultCatalog(options: { comfyui?: boolean } = {}): ModelCatalog {
  const comfyUiModels = options.comfyui === true ? [wan22Ti2v5b, wan22Flf2v14b, ltx2] : [];
  return new ModelCatalog([seedance2Fast, seedance2Pro, seedance10ProFast, ...comfyUiModels]);
}
