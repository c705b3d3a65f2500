import { readFileSync } from 'node:fs';
import { defaultCatalog } from '../catalog/model-catalog.ts';
import { parsePriceOverrides } from '../catalog/price-table.ts';
import type { UsageConfig } from './config-types.ts';
import type { EnvironmentValues } from './environment-schema.ts';
import { ConfigError } from './config-error.ts';

/** The pricing and limits block: operator prices checked against the catalog, default limits. */
export function usageConfig(values: EnvironmentValues): UsageConfig {
  const defaultLimits = {
    maxQueuedJobs: values.REELGATE_LIMIT_QUEUED_JOBS,
    maxRunningJobs: values.REELGATE_LIMIT_RUNNING_JOBS,
    createRequestsPerMinute: values.REELGATE_LIMIT_CREATE_PER_MINUTE,
    readRequestsPerMinute: values.REELGATE_LIMIT_READ_PER_MINUTE,
    monthlySpendUsd: values.REELGATE_LIMIT_MONTHLY_SPEND_USD,
  };
  const inline = values.REELGATE_PRICES;
  const file = values.REELGATE_PRICES_FILE;
  if (inline === undefined && file === undefined) return { prices: {}, defaultLimits };
  const variable = inline === undefined ? `REELGATE_PRICES_FILE ${file}` : 'REELGATE_PRICES';
  try {
    const text = inline ?? readFileSync(file ?? '', 'utf8');
    // Every model the server can offer (ComfyUI's too), so a price may precede turning one on.
    return { prices: parsePriceOverrides(text, defaultCatalog({ comfyui: true })), defaultLimits };
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${variable} ${(error as Error).message}`);
  }
}
