import type { ModelSpec } from '../../catalog/model-spec.ts';
import type { Engine } from '../engine.ts';
import { modelArkAdapter } from './modelark-provider.ts';
import { runComfyAdapter } from './runcomfy-provider.ts';
import { runflowAdapter } from './runflow-provider.ts';
import { UpstreamEngine } from './upstream-engine.ts';
import { UpstreamHttp } from './upstream-http.ts';
import type { MediaDelivery } from './upstream-media.ts';
import type { ProviderAdapter } from './upstream-provider.ts';
import type { UpstreamSettings } from './upstream-settings.ts';

const adapters: readonly ProviderAdapter[] = [modelArkAdapter, runComfyAdapter, runflowAdapter];

/** Polls in a row that may fail transiently before an attempt gives up (a retry then resumes). */
const maxPollFailures = 20;

export interface UpstreamEngineDependencies {
  readonly specOf: (model: string) => ModelSpec | undefined;
  /** Publishes an input file and returns a URL providers can fetch (when inputs go by URL). */
  readonly publishInput: (file: string, key: string, contentType: string) => Promise<string>;
  readonly fetch?: typeof fetch;
}

/** One engine per configured provider (those with an API key). */
export function createUpstreamEngines(
  settings: UpstreamSettings,
  dependencies: UpstreamEngineDependencies,
): Engine[] {
  const delivery: MediaDelivery = settings.inputUrls
    ? { kind: 'url', publish: dependencies.publishInput }
    : { kind: 'data' };
  const engines: Engine[] = [];
  for (const adapter of adapters) {
    const provider = settings.providers[adapter.provider];
    if (provider === undefined) continue;
    const fetchOption = dependencies.fetch === undefined ? {} : { fetch: dependencies.fetch };
    engines.push(
      new UpstreamEngine({
        adapter,
        http: new UpstreamHttp({
          baseUrl: provider.baseUrl,
          apiKey: provider.apiKey,
          timeoutMs: settings.requestTimeoutMs,
          ...fetchOption,
        }),
        specOf: dependencies.specOf,
        models: provider.models,
        delivery,
        timing: { initialMs: settings.pollInitialMs, maxMs: settings.pollMaxMs },
        maxPollFailures,
        downloadIdleMs: settings.requestTimeoutMs,
        ...fetchOption,
      }),
    );
  }
  return engines;
}
