import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../client/index.ts';
import { buildGenerationInput, flagForField } from './generation-input.ts';

/** Two models as GET /v1/models publishes them: the seeds name the same fields differently. */
const seedance2: ModelInfo = {
  id: 'bytedance/seedance-v2/fast',
  name: 'Seedance 2.0 Fast',
  description: '',
  input_schema: {
    type: 'object',
    properties: {
      prompt: {},
      images: {},
      videos: {},
      audios: {},
      aspect_ratio: {},
      duration: {},
      resolution: {},
      generate_audio: {},
      seed: {},
    },
  },
  fields: {
    prompt: 'prompt',
    aspectRatio: 'aspect_ratio',
    audio: 'generate_audio',
    images: 'images',
    videos: 'videos',
    audios: 'audios',
  },
};
const seedance10: ModelInfo = {
  id: 'bytedance/seedance-1-0/pro/fast/text-to-video',
  name: 'Seedance 1.0 Pro Fast',
  description: '',
  // No `fields`: an older server; names come from the schema.
  input_schema: {
    type: 'object',
    properties: { text: {}, ratio: {}, duration: {}, resolution: {}, seed: {} },
  },
};
const noMedia = { images: [], imageRoles: [], videos: [], audios: [] };

describe('buildGenerationInput', () => {
  it('maps the flags through each model’s field names', () => {
    const flags = {
      prompt: 'A kite',
      duration: '4',
      resolution: '480p',
      ratio: '9:16',
      seed: '7',
      audio: false,
    };
    expect(buildGenerationInput(seedance2, flags, noMedia).input).toEqual({
      prompt: 'A kite',
      duration: 4,
      resolution: '480p',
      aspect_ratio: '9:16',
      seed: 7,
      generate_audio: false,
    });
    const old = buildGenerationInput(seedance10, flags, noMedia);
    // --no-audio on a model without sound is simply nothing to send.
    expect(old.input).toEqual({ text: 'A kite', duration: 4, resolution: '480p', ratio: '9:16', seed: 7 });
    expect(flagForField(old.flags, 'input.ratio')).toBe('--ratio');
  });

  it('pairs roles with images and refuses flags the model cannot take', () => {
    const built = buildGenerationInput(
      seedance2,
      { prompt: 'x' },
      {
        images: ['asset://a', 'asset://b'],
        imageRoles: [undefined, 'last_frame'],
        videos: ['https://v'],
        audios: [],
      },
    );
    expect(built.input).toMatchObject({ images: ['asset://a', 'asset://b'], videos: ['https://v'] });
    expect(built.roles).toEqual({ 'images[1]': 'last_frame' });
    expect(flagForField(built.flags, 'input.images[1]')).toBe('--image');

    expect(() => buildGenerationInput(seedance10, { prompt: 'x', audio: true }, noMedia)).toThrow(
      /has no input for --audio/,
    );
    expect(() =>
      buildGenerationInput(seedance10, { prompt: 'x' }, { ...noMedia, images: ['asset://a'] }),
    ).toThrow(/has no input for --image/);
    expect(() => buildGenerationInput(seedance2, { prompt: 'x', duration: 'five' }, noMedia)).toThrow(
      /--duration must be a whole number/,
    );
  });
});
