import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../src/catalog/model-catalog.ts';
import { buildInput, describeFields, fieldOfIssuePath, initialValues } from '../web/src/schema-fields.ts';

/** The web UI's form generation, from the catalog's real seed schemas (what GET /v1/models serves). */
const catalog = defaultCatalog();
const fast = describeFields(catalog.get('bytedance/seedance-v2/fast').spec.inputSchema);
const textToVideo = describeFields(
  catalog.get('bytedance/seedance-1-0/pro/fast/text-to-video').spec.inputSchema,
);

describe('web UI schema form', () => {
  it('turns each seed property into the matching control with its defaults, bounds and help', () => {
    expect(fast.map((field) => [field.name, field.kind])).toEqual([
      ['prompt', 'text'],
      ['images', 'media'],
      ['videos', 'media'],
      ['audios', 'media'],
      ['aspect_ratio', 'select'],
      ['duration', 'number'],
      ['resolution', 'select'],
      ['generate_audio', 'checkbox'],
      ['seed', 'number'],
      ['tools', 'checkbox'],
    ]);
    expect(fast.find((field) => field.name === 'duration')).toMatchObject({
      label: 'Duration (seconds)',
      integer: true,
      minimum: 4,
      maximum: 15,
      defaultValue: '5',
      help: 'Integer seconds in [4, 15].',
    });
    expect(fast.find((field) => field.name === 'images')).toMatchObject({ media: 'image', maxItems: 9 });
    expect(fast.find((field) => field.name === 'resolution')).toMatchObject({
      options: ['480p', '720p', '1080p'],
      defaultValue: '720p',
    });
    // An empty description is no help text; an integer enum is a numeric select.
    expect(textToVideo.find((field) => field.name === 'ratio')?.help).toBeUndefined();
    expect(textToVideo.find((field) => field.name === 'duration')).toMatchObject({
      kind: 'select',
      numeric: true,
      defaultValue: '5',
    });
    expect(initialValues(textToVideo)).toMatchObject({ seed: '38810827', resolution: '480p', duration: '5' });
  });

  it('builds the input with typed values, leaving empty optional fields to the server', () => {
    const values = { ...initialValues(fast), prompt: '  a cat  ', duration: '6', images: ['asset://a'] };
    const built = buildInput(fast, values);
    expect(built).toEqual({
      ok: true,
      input: {
        prompt: 'a cat',
        images: ['asset://a'],
        aspect_ratio: 'adaptive',
        duration: 6,
        resolution: '720p',
        generate_audio: true,
        tools: false,
      },
    });
    const numeric = buildInput(textToVideo, { ...initialValues(textToVideo), duration: '12' });
    expect(numeric.ok && numeric.input['duration']).toBe(12);
  });

  it('reports what it can check by field: required text, bounds, whole numbers, too many media', () => {
    const built = buildInput(fast, {
      ...initialValues(fast),
      prompt: ' ',
      duration: '16',
      seed: '1.5',
      videos: ['asset://1', 'asset://2', 'asset://3', 'asset://4'],
    });
    expect(built).toEqual({
      ok: false,
      issues: {
        prompt: 'Prompt is required',
        duration: 'Duration (seconds) must be a whole number from 4 to 15',
        seed: 'Seed must be a whole number',
        videos: 'Videos: at most 3',
      },
    });
  });

  it("takes a single media URI (a ComfyUI model's `image`) as one file, and a required one is required", () => {
    const fields = describeFields({
      required: ['image'],
      properties: {
        image: { title: 'Start image', type: 'string', format: 'image_uri' },
        cfg: { title: 'CFG', type: 'number', minimum: 1, maximum: 10, default: 3.5 },
      },
    });
    expect(fields).toMatchObject([
      { name: 'image', kind: 'media', media: 'image', single: true, maxItems: 1, required: true },
      { name: 'cfg', kind: 'number', integer: false, defaultValue: '3.5' },
    ]);
    expect(buildInput(fields, { image: ['asset://x'], cfg: '2.5' })).toEqual({
      ok: true,
      input: { image: 'asset://x', cfg: 2.5 },
    });
    expect(buildInput(fields, { image: [], cfg: '' })).toEqual({
      ok: false,
      issues: { image: 'Start image is required' },
    });
  });

  it('maps a server issue path to the form field it names', () => {
    expect(fieldOfIssuePath('input.duration')).toBe('duration');
    expect(fieldOfIssuePath('images[1]')).toBe('images');
    expect(fieldOfIssuePath('input.videos[0].url')).toBe('videos');
    expect(fieldOfIssuePath('model')).toBe('model');
  });
});
