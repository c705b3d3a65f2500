import { AppError } from '../domain/app-error.ts';
import type { ValidatedInput } from './input-validator.ts';
import { validateInput, zodFromJsonSchema } from './input-validator.ts';
import type { ModelSpec } from './model-spec.ts';
import { seedance10ProFast } from './seedance-1-0-pro-fast.ts';
import { seedance2Fast, seedance2Pro } from './seedance-2.ts';

/** A catalog entry with its validator compiled once. */
export interface CatalogModel {
  readonly spec: ModelSpec;
  /** Validates a dialect's input object; throws AppError('validation_failed') with every issue. */
  validate(input: unknown, fieldPrefix?: string): ValidatedInput;
}

/** The models this server offers, by id. */
export class ModelCatalog {
  private readonly models = new Map<string, CatalogModel>();

  constructor(specs: readonly ModelSpec[]) {
    for (const spec of specs) {
      const validator = zodFromJsonSchema(spec.inputSchema);
      this.models.set(spec.id, {
        spec,
        validate: (input, fieldPrefix) => validateInput(validator, spec.inputSchema, input, fieldPrefix),
      });
    }
  }

  /** The model, or AppError('unknown_model') naming the id and the models there are. */
  get(id: string): CatalogModel {
    const model = this.models.get(id);
    if (model === undefined) {
      throw new AppError(
        'unknown_model',
        `model "${id}" is not available here; available models: ${[...this.models.keys()].join(', ')}`,
        { field: 'model' },
      );
    }
    return model;
  }

  find(id: string): CatalogModel | undefined {
    return this.models.get(id);
  }

  list(): CatalogModel[] {
    return [...this.models.values()];
  }
}

/** The built-in catalog: the three seed models. */
export function defaultCatalog(): ModelCatalog {
  return new ModelCatalog([seedance2Fast, seedance2Pro, seedance10ProFast]);
}
