import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { defaultCatalog } from '../catalog/model-catalog.ts';
import { parseRoutes } from '../engines/engine-router.ts';
import type { UpstreamProviderSettings, UpstreamSettings } from '../engines/upstream/upstream-settings.ts';
import { defaultProviderUrls, parseModelMap } from '../engines/upstream/upstream-settings.ts';
import type { ComfyUiConfig, Config } from './config-types.ts';
import type { EnvironmentValues } from './environment-schema.ts';
import { ConfigError } from './config-error.ts';

/**
 * The upstream block: a provider is configured by its API key; routes may name only configured
 * engines; poll waits grow from REELGATE_UPSTREAM_POLL_MS to the cap.
 */
export function upstreamConfig(values: EnvironmentValues): Pick<Config, 'upstream' | 'routes'> {
  const catalog = defaultCatalog({ comfyui: values.REELGATE_COMFYUI_URLS !== undefined });
  const resolveModel = (id: string) => catalog.find(id)?.spec.id;
  const providers: { -readonly [P in keyof UpstreamSettings['providers']]: UpstreamProviderSettings } = {};
  try {
    for (const [provider, name] of [
      ['modelark', 'MODELARK'],
      ['runcomfy', 'RUNCOMFY'],
      ['runflow', 'RUNFLOW'],
    ] as const) {
      const apiKey = values[`REELGATE_${name}_API_KEY`];
      if (apiKey === undefined) continue;
      providers[provider] = {
        baseUrl: (values[`REELGATE_${name}_URL`] ?? defaultProviderUrls[provider]).replace(/\/+$/, ''),
        apiKey,
        models: parseModelMap(values[`REELGATE_${name}_MODELS`], `REELGATE_${name}_MODELS`, resolveModel),
      };
    }
    const routes = parseRoutes(values.REELGATE_ROUTES, resolveModel);
    for (const [model, engines] of routes) {
      for (const engine of engines) {
        const provider = /^upstream-(modelark|runcomfy|runflow)$/.exec(engine)?.[1] as
          keyof typeof providers | undefined;
        if (engine === 'comfyui' && values.REELGATE_COMFYUI_URLS === undefined) {
          throw new Error(`REELGATE_ROUTES: ${model} names comfyui, but REELGATE_COMFYUI_URLS is not set`);
        }
        if (provider !== undefined && providers[provider] === undefined) {
          throw new Error(
            `REELGATE_ROUTES: ${model} names ${engine}, but REELGATE_${provider.toUpperCase()}_API_KEY is not set`,
          );
        }
      }
    }
    if (values.REELGATE_UPSTREAM_POLL_MAX_MS < values.REELGATE_UPSTREAM_POLL_MS) {
      throw new Error('REELGATE_UPSTREAM_POLL_MAX_MS must be at least REELGATE_UPSTREAM_POLL_MS');
    }
    return {
      routes,
      upstream: {
        providers,
        pollInitialMs: values.REELGATE_UPSTREAM_POLL_MS,
        pollMaxMs: values.REELGATE_UPSTREAM_POLL_MAX_MS,
        requestTimeoutMs: values.REELGATE_UPSTREAM_TIMEOUT_MS,
        inputUrls: values.REELGATE_UPSTREAM_INPUT_URLS,
      },
    };
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
}

/** The ComfyUI block: comma-separated http(s) base URLs; a stable client id per process by default. */
export function comfyUiConfig(values: EnvironmentValues): ComfyUiConfig | undefined {
  const text = values.REELGATE_COMFYUI_URLS;
  if (text === undefined) return undefined;
  const urls = text
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter((url) => url !== '');
  for (const url of urls) {
    if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(url) || !URL.canParse(url)) {
      throw new ConfigError(
        `invalid configuration: REELGATE_COMFYUI_URLS: "${url}" is not an absolute http(s) URL`,
      );
    }
  }
  if (new Set(urls).size !== urls.length) {
    throw new ConfigError('invalid configuration: REELGATE_COMFYUI_URLS names a server twice');
  }
  return {
    urls,
    clientId: values.REELGATE_COMFYUI_CLIENT_ID ?? `reelgate-${randomUUID()}`,
    healthIntervalMs: values.REELGATE_COMFYUI_HEALTH_INTERVAL_MS,
    slotsPerServer: values.REELGATE_COMFYUI_SLOTS,
    stallMs: values.REELGATE_COMFYUI_STALL_MS,
    templatesDir:
      values.REELGATE_COMFYUI_TEMPLATES === undefined
        ? undefined
        : path.resolve(values.REELGATE_COMFYUI_TEMPLATES),
  };
}
