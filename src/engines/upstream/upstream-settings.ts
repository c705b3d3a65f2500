import type { UpstreamProviderId } from './upstream-provider.ts';

/**
 * The upstream engines' configuration as src/config.ts hands it over: one entry per provider that
 * has an API key (an engine exists only for those), and the shared polling and timeout figures.
 */
export interface UpstreamProviderSettings {
  /** Without a trailing slash. ModelArk's includes `/api/v3`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Catalog model id → the provider's model id, where the operator renamed one. */
  readonly models: ReadonlyMap<string, string>;
}

export interface UpstreamSettings {
  readonly providers: Readonly<Partial<Record<UpstreamProviderId, UpstreamProviderSettings>>>;
  /** First wait between polls, and the cap the waits grow to. */
  readonly pollInitialMs: number;
  readonly pollMaxMs: number;
  /** Every request to a provider, and the result download's idle time, are bounded by this. */
  readonly requestTimeoutMs: number;
  /** Send media inputs as URLs under our public base URL (else inline base64 `data:` URLs). */
  readonly inputUrls: boolean;
}

/** Where each provider lives unless the operator says otherwise. */
export const defaultProviderUrls: Readonly<Record<UpstreamProviderId, string>> = {
  modelark: 'https://ark.ap-southeast.bytepluses.com/api/v3',
  runcomfy: 'https://model-api.runcomfy.net',
  runflow: 'https://api.runflow.io',
};

/**
 * Parses a model mapping, `catalog-model=provider-model;…`. Catalog models may be named by any id
 * they answer to (`resolveModel` returns the catalog id or undefined). Throws an Error with a
 * one-line message naming the variable.
 */
export function parseModelMap(
  text: string | undefined,
  variable: string,
  resolveModel: (id: string) => string | undefined,
): Map<string, string> {
  const models = new Map<string, string>();
  if (text === undefined || text.trim() === '') return models;
  for (const entry of text.split(';')) {
    if (entry.trim() === '') continue;
    const [ours = '', theirs = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (ours === '' || theirs === '' || rest.length > 0) {
      throw new Error(`${variable}: "${entry.trim()}" is not catalog-model=provider-model`);
    }
    const catalogId = resolveModel(ours);
    if (catalogId === undefined) throw new Error(`${variable}: unknown model "${ours}"`);
    models.set(catalogId, theirs);
  }
  return models;
}
