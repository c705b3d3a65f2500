import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../../catalog/model-catalog.ts';
import { AppError } from '../../../domain/app-error.ts';
import type { UploadedReference } from './openai-create-request.ts';
import { referenceImageLimitBytes, translateCreateRequest } from './openai-create-request.ts';

const catalog = defaultCatalog();
const options = { catalog, drawSeed: () => 42 };

function issuesOf(body: unknown, upload?: UploadedReference): string[] {
  try {
    translateCreateRequest(body, { ...options, upload });
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_failed') {
      return error.issues.map((issue) => `${issue.field} ${issue.rule}: ${issue.message}`);
    }
    throw error;
  }
  throw new Error('expected a validation error');
}

const png: UploadedReference = {
  filename: 'frame.png',
  bytes: 3,
  sha256: 'abc',
  imageType: 'image/png',
  data: Buffer.from([1, 2, 3]),
};

describe('POST /v1/videos → GenerationRequest', () => {
  it("applies OpenAI's defaults: sora-2 (Seedance 2.0 Fast), 4 s, 720x1280 portrait, with sound", () => {
    const translated = translateCreateRequest({ prompt: 'A cat' }, options);
    expect(translated.spec.id).toBe('bytedance/seedance-v2/fast');
    expect(translated.request).toEqual({
      model: 'bytedance/seedance-v2/fast',
      mode: 'text-to-video',
      prompt: 'A cat',
      resolution: '720p',
      aspectRatio: '9:16',
      durationSeconds: 4,
      generateAudio: true,
      seed: 42,
      webSearch: false,
      returnLastFrame: false,
      watermark: false,
      images: [],
      videos: [],
      audios: [],
    });
    expect(translated.input).toEqual({ prompt: 'A cat', model: 'sora-2', seconds: '4', size: '720x1280' });
  });

  it('maps sora-2-pro, any catalog id or alias, and seconds given as a string or a number', () => {
    const pro = translateCreateRequest(
      { prompt: 'p', model: 'sora-2-pro', seconds: '12', size: '1280x720' },
      options,
    );
    expect(pro.request).toMatchObject({
      model: 'bytedance/seedance-2.0/pro',
      durationSeconds: 12,
      aspectRatio: '16:9',
    });
    const byAlias = translateCreateRequest({ prompt: 'p', model: 'seedance-fast', seconds: 7 }, options);
    expect(byAlias.request).toMatchObject({ model: 'bytedance/seedance-v2/fast', durationSeconds: 7 });
    expect(byAlias.input['seconds']).toBe('7');
  });

  it('gives a model without sound a silent video instead of refusing it', () => {
    const silent = translateCreateRequest(
      { prompt: 'p', model: 'bytedance/seedance-1-0/pro/fast/text-to-video', seconds: '2', size: '864x496' },
      options,
    );
    expect(silent.request).toMatchObject({ generateAudio: false, resolution: '480p', durationSeconds: 2 });
  });

  it('names every problem at once, in field order', () => {
    expect(issuesOf({ model: 'sora-2-pro', seconds: '20', size: '1920x1088', loop: 1 })).toEqual([
      'prompt required: prompt is required',
      'seconds range: seconds must be a whole number of seconds from 4 to 15 for Seedance 2.0 Pro, got 20',
      expect.stringMatching(
        /^size enum: size must be one of 864x496, .*, 1792x1024 for Seedance 2\.0 Pro, got "1920x1088"$/,
      ),
      'loop unknown_field: unknown parameter: loop',
    ]);
    expect(issuesOf({ prompt: '', model: 'sora-3', seconds: 'four', size: 'big' })).toEqual([
      'prompt min_length: prompt must not be empty',
      expect.stringMatching(
        /^model unknown_model: model must be one of sora-2, sora-2-pro, bytedance\/seedance-v2\/fast, .*got "sora-3"$/,
      ),
      'seconds format: seconds must be a whole number of seconds as a string, such as "4", "8" or "12"',
      'size format: size must be "WIDTHxHEIGHT" in pixels, such as "1280x720"',
    ]);
    expect(
      issuesOf({ prompt: 'p', model: 'bytedance/seedance-1-0/pro/fast/text-to-video', seconds: '13' }),
    ).toEqual([
      'seconds range: seconds must be a whole number of seconds from 2 to 12 for Seedance 1.0 Pro Fast, got 13',
    ]);
    expect(issuesOf([])).toEqual([
      'body type: the request body must be a JSON object or multipart/form-data',
    ]);
  });

  it('turns input_reference into a first-frame image: an upload as a data: URI, a URL as given', () => {
    const uploaded = translateCreateRequest({ prompt: 'p' }, { ...options, upload: png });
    expect(uploaded.request.images).toEqual([
      { source: 'data:image/png;base64,AQID', field: 'input_reference', role: 'first_frame' },
    ]);
    expect(uploaded.input['input_reference']).toEqual({
      upload: { filename: 'frame.png', bytes: 3, sha256: 'abc', type: 'image/png' },
    });
    const byUrl = translateCreateRequest(
      { prompt: 'p', input_reference: { image_url: 'https://example.com/a.png' } },
      options,
    );
    expect(byUrl.request.images).toEqual([
      { source: 'https://example.com/a.png', field: 'input_reference.image_url', role: 'first_frame' },
    ]);
    const dataUri = `data:image/png;base64,${'A'.repeat(1000)}`;
    const inline = translateCreateRequest({ prompt: 'p', input_reference: { image_url: dataUri } }, options);
    expect(inline.request.images[0]?.source).toBe(dataUri);
    expect(String((inline.input['input_reference'] as Record<string, unknown>)['image_url'])).toMatch(
      /^data:image\/png;base64,… \(1022 characters, sha256 [0-9a-f]{64}\)$/,
    );
  });

  it('refuses references it cannot use, naming input_reference', () => {
    expect(issuesOf({ prompt: 'p' }, { ...png, imageType: undefined, filename: 'notes.txt' })).toEqual([
      'input_reference invalid: input_reference must be an image (JPEG, PNG, WebP, BMP, TIFF or GIF); the uploaded file "notes.txt" is not one',
    ]);
    const big = referenceImageLimitBytes + 1;
    expect(issuesOf({ prompt: 'p' }, { ...png, bytes: big, data: undefined })).toEqual([
      `input_reference invalid: input_reference must be smaller than 30 MB; the uploaded file has ${big} bytes`,
    ]);
    expect(issuesOf({ prompt: 'p', input_reference: { file_id: 'file-1' } })[0]).toMatch(
      /^input_reference\.file_id invalid: .*no Files API/,
    );
    expect(issuesOf({ prompt: 'p', input_reference: {} })).toEqual([
      'input_reference invalid: input_reference must have exactly one of image_url or file_id',
    ]);
    expect(issuesOf({ prompt: 'p', input_reference: { image_url: 'ftp://x/a.png' } })[0]).toMatch(
      /^input_reference\.image_url invalid/,
    );
    expect(issuesOf({ prompt: 'p', input_reference: { image_url: 'https://x/a.png' } }, png)[0]).toMatch(
      /both as a file and as fields/,
    );
    expect(issuesOf({ prompt: 'p', input_reference: 'frame.png' })).toEqual([
      'input_reference type: input_reference must be an object with image_url or file_id, or an uploaded image file',
    ]);
  });
});
