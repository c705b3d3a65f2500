import { describe, expect, it } from 'vitest';
import type { MediaFacts } from './media-inspect.ts';
import { mediaByteLimits, mediaCountLimits, mediaLimitIssues, mediaLimits } from './media-limits.ts';

const mebibyte = 1024 * 1024;

function image(overrides: Partial<MediaFacts> = {}): MediaFacts {
  return {
    kind: 'image',
    format: 'png',
    mime: 'image/png',
    bytes: 40_000,
    width: 640,
    height: 480,
    videoCodec: 'png',
    hasAudio: false,
    hasVideo: false,
    ...overrides,
  };
}

function video(overrides: Partial<MediaFacts> = {}): MediaFacts {
  return {
    kind: 'video',
    format: 'mp4',
    mime: 'video/mp4',
    bytes: 800_000,
    width: 640,
    height: 480,
    durationSeconds: 3,
    fps: 24,
    videoCodec: 'h264',
    hasAudio: false,
    hasVideo: true,
    ...overrides,
  };
}

function audio(overrides: Partial<MediaFacts> = {}): MediaFacts {
  return {
    kind: 'audio',
    format: 'wav',
    mime: 'audio/wav',
    bytes: 260_000,
    durationSeconds: 3,
    audioCodec: 'pcm_s16le',
    hasAudio: true,
    hasVideo: false,
    ...overrides,
  };
}

const rules = (facts: MediaFacts, field = 'input.images[0]') =>
  mediaLimitIssues([
    { field, facts },
    ...(facts.kind === 'audio' ? [{ field: 'x', facts: image() }] : []),
  ]).map((issue) => issue.rule);

describe('the limit table', () => {
  it('holds the ModelArk / AnyFast numbers and derives the per-kind caps', () => {
    expect(mediaLimits.image).toMatchObject({ maxItems: 9, minSidePixels: 300, maxSidePixels: 6000 });
    expect(mediaLimits.image.formats).toEqual(['jpeg', 'png', 'webp', 'bmp', 'tiff', 'gif']);
    expect(mediaLimits.video.formats).toEqual(['mp4', 'mov']);
    expect(mediaLimits.audio.formats).toEqual(['wav', 'mp3']);
    expect(mediaByteLimits).toEqual({ image: 30 * mebibyte - 1, video: 50 * mebibyte, audio: 15 * mebibyte });
    expect(mediaCountLimits).toEqual({ image: 9, video: 3, audio: 3 });
  });
});

describe('mediaLimitIssues', () => {
  it('accepts inputs inside every limit', () => {
    const inputs = [
      ...Array.from({ length: 9 }, (_, index) => ({ field: `images[${index}]`, facts: image() })),
      ...[0, 1, 2].map((index) => ({ field: `videos[${index}]`, facts: video({ durationSeconds: 5 }) })),
      ...[0, 1, 2].map((index) => ({ field: `audios[${index}]`, facts: audio({ durationSeconds: 5 }) })),
    ];
    expect(mediaLimitIssues(inputs)).toEqual([]);
    expect(mediaLimitIssues([])).toEqual([]);
  });

  it('checks image sides, aspect and size at their edges', () => {
    expect(rules(image({ width: 300, height: 300 }))).toEqual([]);
    expect(rules(image({ width: 6000, height: 6000 }))).toEqual([]);
    expect(rules(image({ width: 299, height: 300 }))).toEqual(['min_side']);
    expect(rules(image({ width: 6001, height: 3000 }))).toEqual(['max_side']);
    expect(rules(image({ width: 1500, height: 600 }))).toEqual([]);
    expect(rules(image({ width: 600, height: 1500 }))).toEqual([]);
    expect(rules(image({ width: 1501, height: 600 }))).toEqual(['aspect']);
    expect(rules(image({ width: 600, height: 1501 }))).toEqual(['aspect']);
    expect(rules(image({ bytes: 30 * mebibyte - 1 }))).toEqual([]);
    expect(rules(image({ bytes: 30 * mebibyte }))).toEqual(['max_bytes']);
  });

  it('reports every broken rule of one input at once, each naming the field', () => {
    const issues = mediaLimitIssues([
      {
        field: 'input.images[0]',
        facts: image({ format: 'heic' as never, width: 200, height: 7000, bytes: 31 * mebibyte }),
      },
    ]);
    expect(issues).toEqual([
      {
        field: 'input.images[0]',
        rule: 'format',
        message: 'input.images[0]: heic is not an accepted image format (jpeg, png, webp, bmp, tiff, gif)',
      },
      {
        field: 'input.images[0]',
        rule: 'max_bytes',
        message: 'input.images[0]: size 31.0 MB is too large; images must be under 30 MB',
      },
      {
        field: 'input.images[0]',
        rule: 'min_side',
        message: 'input.images[0]: 200×7000 px is too small; each side must be at least 300 px',
      },
      {
        field: 'input.images[0]',
        rule: 'max_side',
        message: 'input.images[0]: 200×7000 px is too large; each side must be at most 6000 px',
      },
      {
        field: 'input.images[0]',
        rule: 'aspect',
        message: 'input.images[0]: aspect ratio 0.03 (200×7000 px) is outside 0.4–2.5',
      },
    ]);
  });

  it('checks video duration, frame rate and size', () => {
    const field = 'input.videos[0]';
    expect(rules(video({ durationSeconds: 2 }), field)).toEqual([]);
    expect(rules(video({ durationSeconds: 15 }), field)).toEqual([]);
    expect(rules(video({ durationSeconds: 1.9 }), field)).toEqual(['min_duration']);
    expect(rules(video({ durationSeconds: 15.1 }), field)).toEqual(['max_duration', 'total_duration']);
    expect(rules(video({ fps: 60 }), field)).toEqual([]);
    expect(rules(video({ fps: 61 }), field)).toEqual(['fps']);
    expect(rules(video({ fps: 12 }), field)).toEqual(['fps']);
    expect(rules(video({ bytes: 50 * mebibyte }), field)).toEqual([]);
    expect(rules(video({ bytes: 50 * mebibyte + 1 }), field)).toEqual(['max_bytes']);
  });

  it('judges durations and frame rates as shown, to 0.1', () => {
    const field = 'input.videos[0]';
    // An AAC track padded to whole frames makes a 15 s cut read 15.02 s; NTSC "24 fps" is 23.976.
    expect(rules(video({ durationSeconds: 15.02, fps: 24000 / 1001 }), field)).toEqual([]);
    expect(rules(video({ durationSeconds: 1.96, fps: 60000 / 1001 }), field)).toEqual([]);
    const [issue] = mediaLimitIssues([{ field, facts: video({ durationSeconds: 1.94, fps: 23.94 }) }]);
    expect(issue?.message).toBe('input.videos[0]: duration 1.9 s is outside 2–15 s');
    expect(mediaLimitIssues([{ field, facts: video({ fps: 23.94 }) }])[0]?.message).toBe(
      'input.videos[0]: frame rate 23.9 fps is outside 24–60 fps',
    );
  });

  it('refuses unknown durations and frame rates rather than letting them through', () => {
    const { durationSeconds: _duration, fps: _fps, ...unmeasured } = video();
    const issues = mediaLimitIssues([{ field: 'v', facts: unmeasured }]);
    expect(issues.map((issue) => [issue.rule, issue.message])).toEqual([
      ['max_duration', 'v: duration is unknown; it must be 2–15 s'],
      ['fps', 'v: the frame rate is unknown; it must be 24–60 fps'],
    ]);
  });

  it('checks audio duration and size', () => {
    const field = 'input.audios[0]';
    expect(
      mediaLimitIssues([
        { field, facts: audio({ durationSeconds: 1.4 }) },
        { field: 'i', facts: image() },
      ]),
    ).toEqual([
      { field, rule: 'min_duration', message: 'input.audios[0]: duration 1.4 s is outside 2–15 s' },
    ]);
    expect(rules(audio({ bytes: 15 * mebibyte }), field)).toEqual([]);
    expect(rules(audio({ bytes: 16 * mebibyte }), field)).toEqual(['max_bytes']);
  });

  it('counts each kind: 10 images, 4 videos and 4 audio clips are each one too many', () => {
    const inputs = [
      ...Array.from({ length: 10 }, (_, index) => ({ field: `input.images[${index}]`, facts: image() })),
      ...[0, 1, 2, 3].map((index) => ({ field: `input.videos[${index}]`, facts: video() })),
      ...[0, 1, 2, 3].map((index) => ({ field: `input.audios[${index}]`, facts: audio() })),
    ];
    expect(mediaLimitIssues(inputs)).toEqual([
      {
        field: 'input.images',
        rule: 'max_items',
        message: 'input.images: at most 9 images are allowed, got 10',
      },
      {
        field: 'input.videos',
        rule: 'max_items',
        message: 'input.videos: at most 3 videos are allowed, got 4',
      },
      {
        field: 'input.audios',
        rule: 'max_items',
        message: 'input.audios: at most 3 audio clips are allowed, got 4',
      },
    ]);
  });

  it('totals durations per kind', () => {
    const issues = mediaLimitIssues([
      { field: 'audios[0]', facts: audio({ durationSeconds: 8 }) },
      { field: 'audios[1]', facts: audio({ durationSeconds: 7.5 }) },
      { field: 'videos[0]', facts: video({ durationSeconds: 7.5 }) },
      { field: 'videos[1]', facts: video({ durationSeconds: 7.5 }) },
    ]);
    expect(issues).toEqual([
      {
        field: 'audios',
        rule: 'total_duration',
        message: 'audios: the audio clips last 15.5 s in total, over the 15 s limit',
      },
    ]);
  });

  it('names the first offending field when one list mixes kinds (a Seedance content[] array)', () => {
    const inputs = [
      { field: 'content[1].audio_url.url', facts: audio() },
      ...[2, 3, 4, 5].map((index) => ({ field: `content[${index}].video_url.url`, facts: video() })),
    ];
    expect(mediaLimitIssues(inputs)).toEqual([
      {
        field: 'content[5].video_url.url',
        rule: 'max_items',
        message: 'content[5].video_url.url: at most 3 videos are allowed, got 4',
      },
    ]);
    expect(mediaLimitIssues([{ field: 'content[1].audio_url.url', facts: audio() }])).toEqual([
      {
        field: 'content[1].audio_url.url',
        rule: 'audio_only',
        message: 'content[1].audio_url.url: audio cannot be the only media input; add an image or a video',
      },
    ]);
  });
});
