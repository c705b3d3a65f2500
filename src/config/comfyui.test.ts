import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';

describe('ComfyUI configuration', () => {
  it('is absent without REELGATE_COMFYUI_URLS, and parsed with defaults when set', () => {
    expect(loadConfig({}).comfyui).toBeUndefined();
    const config = loadConfig({
      REELGATE_COMFYUI_URLS: ' http://gpu1:8188/ , https://gpu2.example/comfy ',
    }).comfyui;
    expect(config).toMatchObject({
      urls: ['http://gpu1:8188', 'https://gpu2.example/comfy'],
      healthIntervalMs: 10_000,
      slotsPerServer: 1,
      stallMs: 30_000,
      templatesDir: undefined,
    });
    expect(config?.clientId).toMatch(/^reelgate-[0-9a-f-]{36}$/);
    expect(
      loadConfig({ REELGATE_COMFYUI_URLS: 'http://a:1', REELGATE_COMFYUI_CLIENT_ID: 'gpu-worker-1' }).comfyui
        ?.clientId,
    ).toBe('gpu-worker-1');
  });

  it('refuses a bad value with one line naming the variable', () => {
    expect(() => loadConfig({ REELGATE_COMFYUI_URLS: 'gpu1:8188' })).toThrow(
      'invalid configuration: REELGATE_COMFYUI_URLS: "gpu1:8188" is not an absolute http(s) URL',
    );
    expect(() => loadConfig({ REELGATE_COMFYUI_URLS: 'http://a:1,http://a:1' })).toThrow(
      /names a server twice/,
    );
    expect(() => loadConfig({ REELGATE_COMFYUI_SLOTS: '0' })).toThrow(
      'REELGATE_COMFYUI_SLOTS must be an integer from 1 to 64, got "0"',
    );
  });
});
