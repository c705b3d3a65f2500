import type { FastifyInstance } from 'fastify';
import type { CatalogModel } from '../catalog/model-catalog.ts';
import { modelIds } from '../catalog/model-catalog.ts';
import { modesAccepting } from '../domain/generation-mode.ts';
import type { ApiContext } from './api-context.ts';
import { renderRunComfyError } from './dialects/runcomfy/runcomfy-translate.ts';

/**
 * The model catalog. `GET /v1/models` is shared by every dialect, so it uses the OpenAI list
 * envelope (`object: "list"`, `data[]` with `id`/`object`/`owned_by`) and adds what the others
 * read: the input JSON Schema exactly as the seed publishes it, the output schema and the price.
 */
export async function registerModelRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  app.get(
    '/v1/models',
    { schema: { tags: ['Models'], summary: 'List models with their input JSON Schemas' } },
    async () => ({ object: 'list', data: context.catalog.list().map(describeModel) }),
  );

  // RunComfy's catalog entry (partner nodes read model_id, base_price_usd and price_unit).
  app.get(
    '/v1/models/*',
    { config: { renderError: renderRunComfyError }, schema: { tags: ['Models'], summary: 'One model' } },
    async (request) =>
      describeModel(context.catalog.get((request.params as Record<string, string>)['*'] ?? '')),
  );
}

function describeModel(model: CatalogModel) {
  const spec = model.spec;
  const defaultResolution = spec.inputSchema.properties['resolution']?.default;
  const basePrice =
    (typeof defaultResolution === 'string'
      ? spec.pricePerSecondUsd[defaultResolution as keyof typeof spec.pricePerSecondUsd]
      : undefined) ?? 0;
  return {
    id: spec.id,
    // Every id this model answers to, on every dialect.
    ids: modelIds(spec),
    aliases: spec.aliases,
    object: 'model',
    owned_by: 'bytedance',
    model_id: spec.id,
    name: spec.name,
    description: spec.description,
    base_price_usd: basePrice,
    price_unit: 'second',
    prices_per_second_usd: spec.pricePerSecondUsd,
    // With generated audio (the same unless the operator priced it apart, REELGATE_PRICES).
    audio_prices_per_second_usd: spec.audioPricePerSecondUsd ?? spec.pricePerSecondUsd,
    capabilities: {
      modes: modesAccepting({
        images: spec.fields.images !== undefined,
        videos: spec.fields.videos !== undefined,
      }),
      ...spec.capabilities,
    },
    engine: spec.defaultEngine,
    input_schema: spec.inputSchema,
    // Which input field carries each common meaning (the seeds disagree: prompt / text, …), so
    // that clients such as the CLI can fill in any model's input.
    fields: spec.fields,
    output_schema: spec.outputSchema,
  };
}
