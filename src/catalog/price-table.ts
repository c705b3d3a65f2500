import { z } from 'zod';
import type { GenerationRequest } from '../domain/generation-request.ts';
import { resolutions } from '../domain/media-facts.ts';
import type { Resolution } from '../domain/media-facts.ts';
import { ModelCatalog, modelIds } from './model-catalog.ts';
import type { ModelSpec } from './model-spec.ts';

/**
 * Prices per generated second, by model × resolution × audio. The catalog carries the defaults;
 * the operator overrides them with REELGATE_PRICES (JSON) or REELGATE_PRICES_FILE:
 *
 *   {"bytedance/seedance-v2/fast": {"720p": 0.2419, "1080p": {"silent": 0.5, "audio": 0.6}}}
 *
 * A model is named by its id or any alias; a resolution maps to one price for both, or to
 * separate prices without and with generated audio. Resolutions left out keep the catalog's price.
 */

const price = z.number({ message: 'a price must be a number of USD per second' }).min(0).max(1000);
const resolutionPrice = z.union([price, z.strictObject({ silent: price, audio: price })]);
const modelPrices = z.partialRecord(z.enum(resolutions), resolutionPrice);

/** The operator's prices as written, by model id or alias. */
export type PriceOverrides = Readonly<Record<string, z.infer<typeof modelPrices>>>;

const overridesSchema = z.record(z.string(), modelPrices);

/**
 * Parses the JSON text of REELGATE_PRICES(_FILE) and checks every model name against `catalog`.
 * Throws an Error whose message names the first problem (the caller adds the variable).
 */
export function parsePriceOverrides(text: string, catalog: ModelCatalog): PriceOverrides {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = overridesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.') ?? '';
    throw new Error(`${where === '' ? '' : `at ${where}: `}${issue?.message ?? 'invalid price table'}`);
  }
  for (const [model, prices] of Object.entries(parsed.data)) {
    const spec = catalog.find(model)?.spec;
    if (spec === undefined) {
      const known = catalog.list().map((entry) => entry.spec.id);
      throw new Error(`names model "${model}", which is not in the catalog (models: ${known.join(', ')})`);
    }
    const offered = Object.keys(prices).filter(
      (resolution) => !spec.capabilities.resolutions.includes(resolution as Resolution),
    );
    if (offered.length > 0) {
      throw new Error(`prices ${spec.id} at ${offered.join(', ')}, which it does not generate`);
    }
  }
  return parsed.data;
}

/** The catalog with the operator's prices applied (the same catalog when there are none). */
export function withPrices(catalog: ModelCatalog, overrides: PriceOverrides): ModelCatalog {
  if (Object.keys(overrides).length === 0) return catalog;
  const specs = catalog.list().map((model) => {
    const ids = new Set(modelIds(model.spec));
    const mine = Object.entries(overrides).filter(([name]) => ids.has(name));
    return mine.reduce((spec, [, prices]) => repriced(spec, prices), model.spec);
  });
  return new ModelCatalog(specs);
}

function repriced(spec: ModelSpec, prices: z.infer<typeof modelPrices>): ModelSpec {
  const silent: Partial<Record<Resolution, number>> = { ...spec.pricePerSecondUsd };
  const audio: Partial<Record<Resolution, number>> = { ...audioPrices(spec) };
  for (const [resolution, value] of Object.entries(prices) as [
    Resolution,
    z.infer<typeof resolutionPrice>,
  ][]) {
    silent[resolution] = typeof value === 'number' ? value : value.silent;
    audio[resolution] = typeof value === 'number' ? value : value.audio;
  }
  return { ...spec, pricePerSecondUsd: silent, audioPricePerSecondUsd: audio };
}

/** Prices with generated audio: the model's own, else the same as without. */
function audioPrices(spec: ModelSpec): Readonly<Partial<Record<Resolution, number>>> {
  return spec.audioPricePerSecondUsd ?? spec.pricePerSecondUsd;
}

/** USD per second for this request's resolution and audio; 0 when the table has no price for it. */
export function unitPriceOf(
  spec: ModelSpec,
  request: Pick<GenerationRequest, 'resolution' | 'generateAudio'>,
): number {
  const table = request.generateAudio ? audioPrices(spec) : spec.pricePerSecondUsd;
  return table[request.resolution] ?? 0;
}
