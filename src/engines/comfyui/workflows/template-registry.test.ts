import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateRegistry } from './template-registry.ts';
import type { TemplateInput } from './workflow-template.ts';
import { snapFrames, snapSize } from './workflow-template.ts';

const input: TemplateInput = {
  prompt: 'a fox in the snow',
  parameters: {},
  seed: 7,
  width: 864,
  height: 496,
  durationSeconds: 5,
  images: [],
};

describe('grid snapping', () => {
  it('rounds sizes to the nearest multiple and frame counts up to step·n + 1', () => {
    expect(snapSize('height', 496, 32)).toEqual({
      value: 512,
      snaps: [{ parameter: 'height', requested: 496, used: 512, rule: 'multiple of 32' }],
    });
    expect(snapSize('width', 864, 32)).toEqual({ value: 864, snaps: [] });
    expect(snapFrames(5, 24, 4).value).toBe(121);
    expect(snapFrames(2, 24, 4).value).toBe(49);
    expect(snapFrames(5, 16, 4).value).toBe(81);
    expect(snapFrames(5, 24, 8).value).toBe(121);
    expect(snapFrames(2, 24, 8).value).toBe(49);
    expect(snapFrames(3, 24, 8)).toMatchObject({ value: 73, snaps: [{ requested: 72, used: 73 }] });
  });
});

describe('the template registry', () => {
  const registry = new TemplateRegistry();

  it('maps the ComfyUI models to their templates, and refuses modes they lack with a reason', () => {
    const pick = (model: string, mode: 'text-to-video' | 'first-frame' | 'first-last-frame', audio = false) =>
      registry.select({ model, mode, generateAudio: audio });
    expect(pick('wan/wan-2.2/ti2v-5b', 'text-to-video')).toMatchObject({
      template: { id: 'wan-2.2-ti2v-5b' },
    });
    expect(pick('wan/wan-2.2/ti2v-5b', 'first-frame')).toMatchObject({ template: { id: 'wan-2.2-ti2v-5b' } });
    expect(pick('wan/wan-2.2/flf2v-14b', 'first-last-frame')).toMatchObject({
      template: { id: 'wan-2.2-flf2v-14b' },
    });
    expect(pick('lightricks/ltx-2', 'text-to-video', false)).toMatchObject({ template: { id: 'ltx-2-t2v' } });
    expect(pick('wan/wan-2.2/ti2v-5b', 'first-last-frame')).toEqual({
      ok: false,
      reason:
        'wan/wan-2.2/ti2v-5b on ComfyUI renders text-to-video, first-frame; this request is first-last-frame',
    });
  });

  it('maps a routed Seedance task by mode: LTX-2 when text asks for audio, Wan otherwise', () => {
    const seedance = 'bytedance/seedance-v2/fast';
    const pick = (mode: 'text-to-video' | 'first-frame' | 'first-last-frame' | 'reference', audio: boolean) =>
      registry.select({ model: seedance, mode, generateAudio: audio });
    expect(pick('text-to-video', true)).toMatchObject({ template: { id: 'ltx-2-t2v' } });
    expect(pick('text-to-video', false)).toMatchObject({ template: { id: 'wan-2.2-ti2v-5b' } });
    expect(pick('first-frame', true)).toMatchObject({ template: { id: 'wan-2.2-ti2v-5b' } });
    expect(pick('first-last-frame', false)).toMatchObject({ template: { id: 'wan-2.2-flf2v-14b' } });
    const reference = pick('reference', false);
    expect(reference.ok).toBe(false);
    expect(!reference.ok && reference.reason).toMatch(
      /this request is reference \(reference images, videos or audio have no ComfyUI template\)/,
    );
  });

  it('builds graphs with the snapped numbers, the seed and the client parameters', () => {
    const wan = registry.templates.find((template) => template.id === 'wan-2.2-ti2v-5b');
    const built = wan?.build({ ...input, parameters: { steps: 12, cfg: 6.5, negative_prompt: 'rain' } });
    expect(built?.graph['55']?.inputs).toMatchObject({ width: 864, height: 512, length: 121 });
    expect(built?.graph['3']?.inputs).toMatchObject({ seed: 7, steps: 12, cfg: 6.5 });
    expect(built?.graph['7']?.inputs).toMatchObject({ text: 'rain' });
    expect(built?.graph['56']).toBeUndefined();
    expect(built?.snaps).toEqual([
      { parameter: 'height', requested: 496, used: 512, rule: 'multiple of 32' },
      { parameter: 'frames', requested: 120, used: 121, rule: '4n+1 at 24 fps' },
    ]);

    const ltx = registry.templates.find((template) => template.id === 'ltx-2-t2v')?.build(input);
    // Stage 1 runs at half the (multiple of 64) output size; frame rate equal in its three nodes.
    expect(ltx?.graph['43']?.inputs).toMatchObject({ width: 448, height: 256, length: 121 });
    expect(ltx?.graph['51']?.inputs).toMatchObject({ frames_number: 121, frame_rate: 24 });
    expect(ltx?.graph['97']?.inputs).toMatchObject({ fps: 24, audio: ['96', 0] });
    expect(ltx?.samplerWeights).toEqual({ '41': 20 / 23, '70': 3 / 23 });

    const flf = registry.templates.find((template) => template.id === 'wan-2.2-flf2v-14b');
    const pair = flf?.build({ ...input, images: ['first.png', 'last.png'], parameters: { steps: 9 } });
    expect(pair?.graph['84']?.inputs).toMatchObject({ start_at_step: 0, end_at_step: 4, noise_seed: 7 });
    expect(pair?.graph['87']?.inputs).toMatchObject({ start_at_step: 4 });
    expect(pair?.graph['81']?.inputs).toMatchObject({ length: 81, width: 864, height: 496 });
    expect(pair?.graph['89']?.inputs).toEqual({ image: 'last.png' });
    expect(() => flf?.build(input)).toThrow(/first_image/);
  });

  it('loads an operator JSON template that takes over a model, and names a broken one', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-templates-'));
    await writeFile(
      path.join(folder, 'my-wan.json'),
      JSON.stringify({
        id: 'my-wan',
        modes: ['text-to-video'],
        models: ['wan/wan-2.2/ti2v-5b'],
        grid: { size: 32, frames: 4 },
        output_node: '9',
        sampler_nodes: { '5': 1 },
        parameters: {
          prompt: '2.text',
          seed: '5.seed',
          width: '4.width',
          height: '4.height',
          frames: '4.length',
        },
        workflow: {
          '2': { class_type: 'CLIPTextEncode', inputs: { text: '' } },
          '4': {
            class_type: 'EmptyHunyuanLatentVideo',
            inputs: { width: 0, height: 0, length: 0, batch_size: 1 },
          },
          '5': { class_type: 'KSampler', inputs: { seed: 0 } },
          '9': { class_type: 'SaveVideo', inputs: { filename_prefix: 'video/mine' } },
        },
      }),
    );
    const loaded = TemplateRegistry.load(folder);
    const choice = loaded.select({
      model: 'wan/wan-2.2/ti2v-5b',
      mode: 'text-to-video',
      generateAudio: false,
    });
    expect(choice).toMatchObject({ ok: true, template: { id: 'my-wan' } });
    const built = choice.ok ? choice.template.build(input) : undefined;
    expect(built?.graph['4']?.inputs).toMatchObject({ width: 864, height: 512, length: 121, batch_size: 1 });
    expect(built?.graph['2']?.inputs).toEqual({ text: 'a fox in the snow' });
    expect(built?.graph['5']?.inputs).toEqual({ seed: 7 });

    await writeFile(
      path.join(folder, 'zz-broken.json'),
      JSON.stringify({ id: 'broken', modes: [], workflow: {} }),
    );
    expect(() => TemplateRegistry.load(folder)).toThrow(/zz-broken\.json: .*modes/);
  });
});
