import { describe, expect, it } from 'vitest';
import { parseAnyFastBody, sizeFields } from './anyfast-body.ts';

describe('AnyFast create body', () => {
  it('takes the Ark-style top-level form (seed 004)', () => {
    const parsed = parseAnyFastBody({
      model: 'seedance-fast',
      content: [{ type: 'text', text: 'A cat playing piano' }],
      generate_audio: true,
      ratio: '16:9',
      duration: '8',
      tools: [{ type: 'web_search' }],
    });
    expect(parsed.issues).toEqual([]);
    expect(parsed.model).toBe('seedance-fast');
    expect(parsed.draft.fields).toMatchObject({ ratio: '16:9', duration: 8, generate_audio: true });
    expect(parsed.draft.paths).toEqual({});
  });

  it("takes new-api's form: prompt, images, size, seconds and metadata as a JSON string", () => {
    const parsed = parseAnyFastBody({
      model: 'seedance-pro',
      prompt: 'A cat',
      images: ['https://example.com/a.png'],
      size: '720x1280',
      seconds: '6',
      metadata: JSON.stringify({ watermark: false, generate_audio: false, duration: 9, resolution: '480p' }),
    });
    expect(parsed.issues).toEqual([]);
    expect(parsed.draft.fields).toMatchObject({
      duration: 6,
      resolution: '720p',
      ratio: '9:16',
      watermark: false,
      generate_audio: false,
    });
    expect(parsed.draft.paths).toMatchObject({
      duration: 'seconds',
      resolution: 'size',
      ratio: 'size',
      watermark: 'metadata.watermark',
    });
    expect(parsed.draft.prompt).toEqual({ text: 'A cat', path: 'prompt' });
    expect(parsed.draft.extraImages).toEqual([{ source: 'https://example.com/a.png', path: 'images[0]' }]);
  });

  it('top-level fields win over metadata, which still supplies the rest', () => {
    const parsed = parseAnyFastBody({
      model: 'seedance-fast',
      ratio: '1:1',
      metadata: { ratio: '4:3', content: [{ type: 'text', text: 'from metadata' }] },
    });
    expect(parsed.issues).toEqual([]);
    expect(parsed.draft.fields.ratio).toBe('1:1');
    expect(parsed.draft.paths?.content).toBe('metadata.content');
  });

  it('names issues inside metadata by their path, and unknown fields anywhere', () => {
    const parsed = parseAnyFastBody({ model: 5, metadata: { duration: 'long', colour: 'red' }, extra: true });
    expect(parsed.issues.map((issue) => [issue.field, issue.rule])).toEqual([
      ['extra', 'unknown_field'],
      ['model', 'type'],
      ['metadata.colour', 'unknown_field'],
      ['metadata.duration', 'type'],
      ['content', 'required'],
    ]);
    expect(parseAnyFastBody({ model: 'm', metadata: '{oops' }).issues[0]).toMatchObject({
      field: 'metadata',
      rule: 'format',
    });
  });

  it('size maps onto the pixel table', () => {
    expect(sizeFields('1280x720')).toEqual({ resolution: '720p', ratio: '16:9' });
    expect(sizeFields('864x496')).toEqual({ resolution: '480p', ratio: '16:9' });
    expect(sizeFields('1920*1080')).toEqual({ resolution: '1080p', ratio: '16:9' });
    expect(sizeFields('960x960')).toEqual({ resolution: '720p', ratio: '1:1' });
  });
});
