import { describe, expect, it } from 'vitest';
import { defaultCatalog } from './model-catalog.ts';
import { toGenerationRequest } from './to-generation-request.ts';

describe('the ComfyUI models in the catalog', () => {
  it('are offered only when ComfyUI is configured', () => {
    const ids = (comfyui: boolean) =>
      defaultCatalog({ comfyui })
        .list()
        .map((model) => model.spec.id);
    expect(ids(false)).not.toContain('wan/wan-2.2/ti2v-5b');
    expect(ids(true)).toEqual(
      expect.arrayContaining(['wan/wan-2.2/ti2v-5b', 'wan/wan-2.2/flf2v-14b', 'lightricks/ltx-2']),
    );
    expect(defaultCatalog({ comfyui: true }).get('lightricks/ltx-2').spec.defaultEngine).toBe('comfyui');
  });

  it('validate their own knobs and turn frame fields into first / last frame roles', () => {
    const catalog = defaultCatalog({ comfyui: true });
    const flf = catalog.get('wan/wan-2.2/flf2v-14b');
    expect(() => flf.validate({ prompt: 'x', first_frame_image: 'https://a/1.png' })).toThrow(
      /last_frame_image is required/,
    );
    expect(() =>
      flf.validate({ prompt: 'x', first_frame_image: 'a', last_frame_image: 'b', steps: 0 }),
    ).toThrow(/steps must be at least 1/);
    const input = flf.validate({
      prompt: 'x',
      first_frame_image: 'https://a/1.png',
      last_frame_image: 'https://a/2.png',
    });
    const request = toGenerationRequest(flf.spec, input, () => 5);
    expect(request.mode).toBe('first-last-frame');
    expect(request.images.map((image) => [image.role, image.field])).toEqual([
      ['first_frame', 'first_frame_image'],
      ['last_frame', 'last_frame_image'],
    ]);
    const wan = catalog.get('wan/wan-2.2/ti2v-5b');
    expect(toGenerationRequest(wan.spec, wan.validate({ prompt: 'x' }), () => 5).mode).toBe('text-to-video');
    expect(
      toGenerationRequest(wan.spec, wan.validate({ prompt: 'x', image: 'https://a/1.png' }), () => 5).mode,
    ).toBe('first-frame');
  });
});
