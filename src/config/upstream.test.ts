import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('loadConfig: upstream engines and routes', () => {
  it('configures no provider and no route by default, with the documented poll figures', () => {
    const config = loadConfig({});
    expect(config.upstream).toEqual({
      providers: {},
      pollInitialMs: 2000,
      pollMaxMs: 15_000,
      requestTimeoutMs: 30_000,
      inputUrls: false,
    });
    expect(config.routes.size).toBe(0);
  });

  it('configures a provider by its API key, with the default URL and a model mapping by any alias', () => {
    const config = loadConfig({
      REELGATE_MODELARK_API_KEY: 'ark-key',
      REELGATE_RUNFLOW_API_KEY: 'rf_live_key',
      REELGATE_RUNFLOW_URL: 'https://runflow.internal/',
      REELGATE_RUNFLOW_MODELS: 'seedance-fast=acme/seedance-2-fast/{mode}',
      REELGATE_ROUTES: 'seedance-fast=upstream-modelark,upstream-runflow,animatic',
      REELGATE_UPSTREAM_INPUT_URLS: 'true',
    });
    expect(config.upstream.providers).toEqual({
      modelark: {
        baseUrl: 'https://ark.ap-southeast.bytepluses.com/api/v3',
        apiKey: 'ark-key',
        models: new Map(),
      },
      runflow: {
        baseUrl: 'https://runflow.internal',
        apiKey: 'rf_live_key',
        models: new Map([['bytedance/seedance-v2/fast', 'acme/seedance-2-fast/{mode}']]),
      },
    });
    expect(config.upstream.inputUrls).toBe(true);
    expect(config.routes.get('bytedance/seedance-v2/fast')).toEqual([
      'upstream-modelark',
      'upstream-runflow',
      'animatic',
    ]);
  });

  it('refuses a bad route or mapping with one line naming the variable', () => {
    const problem = (environment: Record<string, string>) => {
      try {
        loadConfig(environment);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(problem({ REELGATE_ROUTES: 'seedance-9=animatic' })).toBe(
      'invalid configuration: REELGATE_ROUTES: unknown model "seedance-9"',
    );
    expect(problem({ REELGATE_ROUTES: 'seedance-fast=upstream-runcomfy' })).toBe(
      'invalid configuration: REELGATE_ROUTES: bytedance/seedance-v2/fast names upstream-runcomfy, but REELGATE_RUNCOMFY_API_KEY is not set',
    );
    expect(problem({ REELGATE_ROUTES: 'seedance-fast=animatic,comfyui' })).toContain(
      'names comfyui, but REELGATE_COMFYUI_URLS is not set',
    );
    expect(problem({ REELGATE_RUNCOMFY_API_KEY: 'k', REELGATE_RUNCOMFY_MODELS: 'seedance-fast' })).toBe(
      'invalid configuration: REELGATE_RUNCOMFY_MODELS: "seedance-fast" is not catalog-model=provider-model',
    );
    expect(problem({ REELGATE_MODELARK_URL: 'ftp://ark' })).toContain(
      'REELGATE_MODELARK_URL must be an absolute http(s) URL',
    );
    expect(problem({ REELGATE_UPSTREAM_POLL_MS: '5000', REELGATE_UPSTREAM_POLL_MAX_MS: '1000' })).toContain(
      'REELGATE_UPSTREAM_POLL_MAX_MS must be at least REELGATE_UPSTREAM_POLL_MS',
    );
  });
});
