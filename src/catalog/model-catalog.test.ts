import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import type { GenerationRequest } from '../domain/generation-request.ts';
import { capabilityIssues } from './check-capabilities.ts';
import { defaultCatalog, modelIds } from './model-catalog.ts';
import { toGenerationRequest } from './to-generation-request.ts';

// The input schemas as the seed pages publish them (extracted from shared/seeds 000–002).
const seedSchemas = JSON.parse(
  readFileSync(new URL('../../test/fixtures/seed-input-schemas.json', import.meta.url), 'utf8'),
) as Record<string, { required: string[]; properties: Record<string, unknown> }>;

const catalog = defaultCatalog();

describe('the catalog matches the seeds exactly', () => {
  it.each(Object.keys(seedSchemas))('%s: same fields, types, enums, bounds, defaults, maxItems', (id) => {
    const schema = catalog.get(id).spec.inputSchema;
    const seed = seedSchemas[id];
    expect(schema.required).toEqual(seed?.required);
    expect(schema.properties).toEqual(seed?.properties);
  });

  it('unknown models are a clear error naming the id', () => {
    expect(() => catalog.get('nope/model')).toThrowError(/model "nope\/model" is not available/);
  });
});

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.issues;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('validation derived from the seed schema', () => {
  const fast = catalog.get('bytedance/seedance-v2/fast');
  const v1 = catalog.get('bytedance/seedance-1-0/pro/fast/text-to-video');

  it('applies the seed defaults', () => {
    expect(fast.validate({ prompt: 'x' })).toEqual({
      prompt: 'x',
      aspect_ratio: 'adaptive',
      duration: 5,
      resolution: '720p',
      generate_audio: true,
      tools: false,
    });
    expect(v1.validate({ text: 'x' })).toEqual({
      text: 'x',
      resolution: '480p',
      ratio: '16:9',
      duration: 5,
      seed: 38810827,
    });
  });

  it('names every broken rule by path', () => {
    const issues = issuesOf(() => fast.validate({ prompt: 3, images: ['a', 7], duration: 2, colour: 'red' }));
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'prompt', rule: 'type' }),
        expect.objectContaining({
          field: 'images[1]',
          rule: 'type',
          message: 'images[1] must be a string, got 7 (a number)',
        }),
        expect.objectContaining({ field: 'duration', rule: 'minimum' }),
        expect.objectContaining({ field: 'colour', rule: 'unknown_field' }),
      ]),
    );
    expect(issues).toHaveLength(4);
  });

  it('prefixes paths for dialects that nest the input', () => {
    const issues = issuesOf(() => fast.validate({ prompt: 'x', duration: 99 }, 'input.'));
    expect(issues[0]).toMatchObject({
      field: 'input.duration',
      message: 'input.duration must be at most 15',
    });
  });
});

describe('normalizing to a GenerationRequest', () => {
  it('maps 2.0 fields and keeps a given seed', () => {
    const spec = catalog.get('bytedance/seedance-v2/fast').spec;
    const input = catalog
      .get(spec.id)
      .validate({ prompt: 'p', seed: 42, tools: true, generate_audio: false });
    expect(toGenerationRequest(spec, input, () => 1)).toEqual({
      model: spec.id,
      mode: 'text-to-video',
      prompt: 'p',
      resolution: '720p',
      aspectRatio: 'adaptive',
      durationSeconds: 5,
      generateAudio: false,
      seed: 42,
      webSearch: true,
      returnLastFrame: false,
      watermark: false,
      images: [],
      videos: [],
      audios: [],
    });
  });

  it('draws a seed when none was given, and 1.0 never has audio', () => {
    const spec2 = catalog.get('bytedance/seedance-2.0/pro').spec;
    expect(toGenerationRequest(spec2, catalog.get(spec2.id).validate({ prompt: 'p' }), () => 99).seed).toBe(
      99,
    );
    const spec1 = catalog.get('bytedance/seedance-1-0/pro/fast/text-to-video').spec;
    const request = toGenerationRequest(
      spec1,
      catalog.get(spec1.id).validate({ text: 't', ratio: '4:3' }),
      () => 1,
    );
    expect(request).toMatchObject({ prompt: 't', aspectRatio: '4:3', generateAudio: false, seed: 38810827 });
  });

  it('names each media input by its place in the seed field, for error messages', () => {
    const spec = catalog.get('bytedance/seedance-v2/fast').spec;
    const input = catalog.get(spec.id).validate({
      prompt: 'p',
      images: ['https://example.com/a.png', 'asset://b'],
      videos: ['https://example.com/c.mp4'],
      audios: ['https://example.com/d.mp3'],
    });
    expect(toGenerationRequest(spec, input, () => 1)).toMatchObject({
      images: [
        { source: 'https://example.com/a.png', field: 'images[0]' },
        { source: 'asset://b', field: 'images[1]' },
      ],
      videos: [{ source: 'https://example.com/c.mp4', field: 'videos[0]' }],
      audios: [{ source: 'https://example.com/d.mp3', field: 'audios[0]' }],
    });
  });
});

describe('model ids across dialects', () => {
  it('finds each model by every one of its ids', () => {
    expect(catalog.get('bytedance/seedance/2.0/fast/text-to-video').spec.id).toBe(
      'bytedance/seedance-v2/fast',
    );
    expect(catalog.get('seedance-fast').spec.id).toBe('bytedance/seedance-v2/fast');
    expect(catalog.get('dreamina-seedance-2-0-fast-260128').spec.id).toBe('bytedance/seedance-v2/fast');
    expect(catalog.get('sora-2').spec.id).toBe('bytedance/seedance-v2/fast');
    expect(catalog.get('seedance-pro').spec.id).toBe('bytedance/seedance-2.0/pro');
    expect(catalog.get('dreamina-seedance-2-0-260128').spec.id).toBe('bytedance/seedance-2.0/pro');
    expect(catalog.get('seedance-1-0-pro-fast-251015').spec.id).toBe(
      'bytedance/seedance-1-0/pro/fast/text-to-video',
    );
  });

  it('lists every id of every model once', () => {
    const ids = catalog.list().flatMap((model) => modelIds(model.spec));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('bytedance/seedance/2.0/fast/text-to-video');
  });
});

describe('capability checks shared by every dialect', () => {
  const names = {
    resolution: 'resolution',
    aspectRatio: 'ratio',
    duration: 'duration',
    audio: 'generate_audio',
  };
  const request = (overrides: Partial<GenerationRequest>): GenerationRequest => ({
    ...toGenerationRequest(
      catalog.get('seedance-pro').spec,
      catalog.get('seedance-pro').validate({ prompt: 'p' }),
      () => 1,
    ),
    ...overrides,
  });

  it('accepts what the model can do', () => {
    expect(capabilityIssues(catalog.get('seedance-pro').spec, request({}), names)).toEqual([]);
  });

  it('refuses 1080p on 2.0 Pro, 13 s and audio and adaptive on 1.0, naming the dialect field', () => {
    expect(
      capabilityIssues(catalog.get('seedance-pro').spec, request({ resolution: '1080p' }), names),
    ).toEqual([expect.objectContaining({ field: 'resolution', rule: 'enum' })]);
    const v1 = catalog.get('seedance-1-0-pro-fast-251015').spec;
    const issues = capabilityIssues(
      v1,
      request({ durationSeconds: 13, generateAudio: true, aspectRatio: 'adaptive' }),
      names,
    );
    expect(issues.map((issue) => `${issue.field}:${issue.rule}`).sort()).toEqual([
      'duration:range',
      'generate_audio:unsupported',
      'ratio:enum',
    ]);
    expect(issues.find((issue) => issue.field === 'duration')?.message).toMatch(/from 2 to 12/);
  });
});
