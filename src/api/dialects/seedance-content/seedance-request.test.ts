import { describe, expect, it } from 'vitest';
import { seedance10ProFast } from '../../../catalog/seedance-1-0-pro-fast.ts';
import { seedance2Fast, seedance2Pro } from '../../../catalog/seedance-2.ts';
import type { SeedanceDraft } from './seedance-request.ts';
import { translateSeedance } from './seedance-request.ts';

const now = Date.UTC(2026, 10, 21, 10, 0, 0);
const context = { drawSeed: () => 4242, now };
const text = (value: string) => ({ type: 'text', text: value });

function translate(draft: Partial<SeedanceDraft> & Pick<SeedanceDraft, 'fields'>, spec = seedance2Fast) {
  return translateSeedance(spec, { requestedModel: 'seedance-fast', ...draft }, context);
}

describe('translateSeedance', () => {
  it("seed 004's text-to-video example becomes a request with the model's defaults", () => {
    const translation = translate({
      fields: {
        content: [text('A cat playing piano in a sunlit room, cinematic lighting')],
        generate_audio: true,
        ratio: '16:9',
        duration: 8,
      },
    });
    expect(translation.issues).toEqual([]);
    expect(translation.request).toEqual({
      model: 'bytedance/seedance-v2/fast',
      mode: 'text-to-video',
      prompt: 'A cat playing piano in a sunlit room, cinematic lighting',
      resolution: '720p',
      aspectRatio: '16:9',
      durationSeconds: 8,
      generateAudio: true,
      seed: 4242,
      webSearch: false,
      returnLastFrame: false,
      watermark: false,
      images: [],
      videos: [],
      audios: [],
    });
    expect(translation.deadlineAt).toBe(now + 172_800_000);
    expect(translation.callbackUrl).toBeNull();
    expect(translation.input).toMatchObject({
      model: 'seedance-fast',
      content: [{ type: 'text', text: 'A cat playing piano in a sunlit room, cinematic lighting' }],
      resolution: '720p',
      ratio: '16:9',
      duration: 8,
      seed: 4242,
      watermark: false,
      service_tier: 'default',
      execution_expires_after: 172_800,
    });
  });

  it('takes legacy flags from the text; explicit fields win over them', () => {
    const translation = translate({
      fields: { content: [text('A kitten yawns. --rs 480p --dur 4 --rt 9:16 --seed 11')], ratio: '1:1' },
    });
    expect(translation.issues).toEqual([]);
    expect(translation.request).toMatchObject({
      prompt: 'A kitten yawns.',
      resolution: '480p',
      durationSeconds: 4,
      aspectRatio: '1:1',
      seed: 11,
    });
  });

  it('blames a flag by the text path and the flag name', () => {
    const translation = translate({ fields: { content: [text('x --rs 1080p --dur 30')] } }, seedance2Pro);
    expect(translation.issues.map((issue) => issue.field)).toEqual([
      'content[0].text (--rs)',
      'content[0].text (--dur)',
    ]);
  });

  it('seed -1 draws a seed; duration -1 is the model automatic duration', () => {
    const translation = translate({ fields: { content: [text('x')], seed: -1, duration: -1 } });
    expect(translation.request.seed).toBe(4242);
    expect(translation.request.durationSeconds).toBe(seedance2Fast.capabilities.autoDuration);
  });

  it('frames: 24 × seconds (+1) gives the duration; anything else is refused', () => {
    expect(translate({ fields: { content: [text('x')], frames: 121 } }).request.durationSeconds).toBe(5);
    expect(translate({ fields: { content: [text('x')], frames: 96, duration: 4 } }).issues).toEqual([]);
    const bad = translate({ fields: { content: [text('x')], frames: 100 } });
    expect(bad.issues[0]).toMatchObject({ field: 'frames', rule: 'multiple_of' });
    const disagree = translate({ fields: { content: [text('x')], frames: 121, duration: 6 } });
    expect(disagree.issues[0]).toMatchObject({ field: 'frames', rule: 'consistent' });
  });

  it('refuses draft, flex on 2.0, a bad callback URL, and several text items', () => {
    const translation = translate({
      fields: {
        content: [text('a'), text('b')],
        draft: true,
        service_tier: 'flex',
        callback_url: 'ftp://example.com/hook',
      },
    });
    expect(translation.issues.map((issue) => issue.field)).toEqual([
      'content[1]',
      'draft',
      'service_tier',
      'callback_url',
    ]);
  });

  it('carries watermark to the request and echoes it in the input', () => {
    const translation = translate({ fields: { content: [text('a')], watermark: true } });
    expect(translation.issues).toEqual([]);
    expect(translation.request.watermark).toBe(true);
    expect(translation.input['watermark']).toBe(true);
    expect(translate({ fields: { content: [text('a')] } }).request.watermark).toBe(false);
  });

  it('flex is accepted for Seedance 1.x', () => {
    const translation = translate(
      { fields: { content: [text('x')], service_tier: 'flex', execution_expires_after: 3600 } },
      seedance10ProFast,
    );
    expect(translation.issues).toEqual([]);
    expect(translation.input['service_tier']).toBe('flex');
    expect(translation.deadlineAt).toBe(now + 3_600_000);
    // 1.0 has no audio: it is off unless asked for, and 480p / 16:9 are its seed defaults.
    expect(translation.request).toMatchObject({
      generateAudio: false,
      resolution: '480p',
      aspectRatio: '16:9',
    });
  });

  it('checks capabilities with the field names the client used', () => {
    const translation = translate(
      { fields: { content: [text('x')], generate_audio: true, ratio: 'adaptive', duration: 13 } },
      seedance10ProFast,
    );
    expect(translation.issues.map((issue) => issue.field).sort()).toEqual([
      'duration',
      'generate_audio',
      'ratio',
    ]);
    const moved = translate({
      fields: { content: [text('x')], resolution: '4k' },
      paths: { resolution: 'metadata.resolution' },
    });
    expect(moved.issues[0]?.message).toMatch(/^metadata\.resolution must be one of 480p, 720p, 1080p/);
  });

  it('web search only for text-to-video, and only where the model has it', () => {
    const tools = [{ type: 'web_search' as const }];
    expect(translate({ fields: { content: [text('x')], tools } }).request.webSearch).toBe(true);
    const withImage = translate({
      fields: {
        content: [text('x'), { type: 'image_url', image_url: { url: 'https://e.com/a.png' } }],
        tools,
      },
    });
    expect(withImage.issues).toEqual([
      expect.objectContaining({ field: 'tools', rule: 'web_search_text_only' }),
    ]);
    expect(withImage.issues[0]?.message).toMatch(/content\[1\]\.image_url\.url is a media input/);
    expect(translate({ fields: { content: [text('x')], tools } }, seedance10ProFast).issues[0]?.field).toBe(
      'tools',
    );
  });

  it('media become MediaReferences with roles; a text-only model refuses them', () => {
    const translation = translate({
      fields: { content: [text('x'), { type: 'image_url', image_url: { url: 'https://e.com/a.png' } }] },
    });
    expect(translation.issues).toEqual([]);
    expect(translation.request.mode).toBe('first-frame');
    expect(translation.request.images).toEqual([
      {
        source: 'https://e.com/a.png',
        field: 'content[1].image_url.url',
        roleField: 'content[1].role',
        role: 'first_frame',
      },
    ]);
    const onOne = translate(
      { fields: { content: [text('x'), { type: 'image_url', image_url: { url: 'https://e.com/a.png' } }] } },
      seedance10ProFast,
    );
    expect(onOne.issues[0]).toMatchObject({ field: 'content[1]', rule: 'unsupported' });
  });

  it("new-api's prompt replaces the text items, and images[] join the media", () => {
    const translation = translate({
      fields: { content: [text('ignored')] },
      prompt: { text: 'From the prompt --dur 6', path: 'prompt' },
      extraImages: [{ source: 'https://e.com/a.png', path: 'images[0]' }],
    });
    expect(translation.issues).toEqual([]);
    expect(translation.request).toMatchObject({ prompt: 'From the prompt', durationSeconds: 6 });
    expect(translation.request.images).toEqual([
      { source: 'https://e.com/a.png', field: 'images[0]', role: 'first_frame' },
    ]);
  });

  it('a request without any prompt or media is refused', () => {
    expect(translate({ fields: { content: [] } }).issues[0]).toMatchObject({
      field: 'content',
      rule: 'required',
    });
    expect(translate({ fields: { content: [text('  --dur 5 ')] } }).issues[0]).toMatchObject({
      field: 'content[0].text',
      rule: 'required',
    });
  });
});
