import type { GenerationRequest } from '../../src/domain/generation-request.ts';

/** A small text-to-video request for tests and benchmarks that do not care about its content. */
export function textRequest(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    model: 'bytedance/seedance-v2/fast',
    mode: 'text-to-video',
    prompt: 'p',
    resolution: '480p',
    aspectRatio: '16:9',
    durationSeconds: 4,
    generateAudio: false,
    seed: 1,
    webSearch: false,
    returnLastFrame: false,
    watermark: false,
    images: [],
    videos: [],
    audios: [],
    ...overrides,
  };
}

/**
 * A prompt-only request as the catalog completes it for Seedance 2.0 (the RunComfy and Runflow
 * defaults): 720p, adaptive ratio, 5 s with sound.
 */
export function promptOnlyRequest(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return textRequest({
    resolution: '720p',
    aspectRatio: 'adaptive',
    durationSeconds: 5,
    generateAudio: true,
    ...overrides,
  });
}
