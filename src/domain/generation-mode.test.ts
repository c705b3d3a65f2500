import { describe, expect, it } from 'vitest';
import type { GenerationMedia } from './generation-mode.ts';
import {
  asksToExtend,
  deriveGenerationMode,
  generationModeIssues,
  modeHintIssue,
  modesAccepting,
  resolveGenerationMedia,
  withImpliedRoles,
} from './generation-mode.ts';
import type { MediaReference } from './generation-request.ts';

const image = (index: number, role?: string): MediaReference => ({
  source: `https://example.com/${index}.png`,
  field: `content[${index}].image_url.url`,
  roleField: `content[${index}].role`,
  ...(role === undefined ? {} : { role }),
});
const video = (index: number): MediaReference => ({
  source: `https://example.com/${index}.mp4`,
  field: `videos[${index}]`,
  role: 'reference_video',
});
const audio = (index: number): MediaReference => ({
  source: `https://example.com/${index}.mp3`,
  field: `audios[${index}]`,
  role: 'reference_audio',
});
const media = (parts: Partial<GenerationMedia>): GenerationMedia => ({
  images: [],
  videos: [],
  audios: [],
  ...parts,
});
const modeOf = (parts: Partial<GenerationMedia>, prompt = 'a shot') =>
  resolveGenerationMedia(media(parts), prompt).mode;

describe('withImpliedRoles', () => {
  it('a lone image without a role is the first frame, and so is one beside a last frame', () => {
    expect(withImpliedRoles(media({ images: [image(1)] })).images[0]?.role).toBe('first_frame');
    const pair = withImpliedRoles(media({ images: [image(1), image(2, 'last_frame')] }));
    expect(pair.images.map((reference) => reference.role)).toEqual(['first_frame', 'last_frame']);
  });

  it('images without roles among other media, or several, are references; videos and audio too', () => {
    const mixed = withImpliedRoles(
      media({ images: [image(1)], videos: [{ source: 'v' }], audios: [{ source: 'a' }] }),
    );
    expect(mixed.images[0]?.role).toBe('reference_image');
    expect(mixed.videos[0]?.role).toBe('reference_video');
    expect(mixed.audios[0]?.role).toBe('reference_audio');
    const two = withImpliedRoles(media({ images: [image(1), image(2)] }));
    expect(two.images.map((reference) => reference.role)).toEqual(['reference_image', 'reference_image']);
  });

  it('keeps the roles the client gave', () => {
    const given = withImpliedRoles(media({ images: [image(1, 'reference_image')] }));
    expect(given.images[0]).toEqual(image(1, 'reference_image'));
  });
});

describe('deriveGenerationMode', () => {
  it('names each of the six seed 004 modes from the media', () => {
    expect(modeOf({})).toBe('text-to-video');
    expect(modeOf({ images: [image(1)] })).toBe('first-frame');
    expect(modeOf({ images: [image(1, 'first_frame')] })).toBe('first-frame');
    expect(modeOf({ images: [image(1, 'first_frame'), image(2, 'last_frame')] })).toBe('first-last-frame');
    expect(modeOf({ images: [image(1), image(2)] })).toBe('reference');
    expect(modeOf({ images: [image(1, 'reference_image')], audios: [audio(2)] })).toBe('reference');
    expect(
      modeOf(
        { images: [image(1, 'reference_image')], videos: [video(2)] },
        'Replace the water bottle in the video with the perfume bottle from the image',
      ),
    ).toBe('video-edit');
    expect(
      modeOf({ videos: [video(1), video(2)] }, 'Extend the clip: the car drives on into the night'),
    ).toBe('video-extension');
  });

  it("seed 004's multimodal example (image + video + audio) is reference, even though it says extend", () => {
    expect(
      modeOf(
        { images: [image(1, 'reference_image')], videos: [video(2)], audios: [audio(3)] },
        'Extend the video with a smooth camera pan, festive atmosphere',
      ),
    ).toBe('reference');
  });

  it('videos alone are a reference unless the prompt asks to extend or continue them', () => {
    expect(modeOf({ videos: [video(1)] }, 'a cat walks with the camera move of [Video 1]')).toBe('reference');
    expect(modeOf({ videos: [video(1)], audios: [audio(2)] }, 'continue the scene')).toBe('video-extension');
    expect(asksToExtend('Continue the story')).toBe(true);
    expect(asksToExtend('延长这个视频')).toBe(true);
    expect(asksToExtend('a continent seen from orbit')).toBe(false);
  });

  it('an omni_reference_task_type hint chooses among the reference modes', () => {
    const references = media({ images: [image(1, 'reference_image')], videos: [video(2)] });
    expect(deriveGenerationMode(references, 'x', 'reference')).toBe('reference');
    expect(deriveGenerationMode(media({ videos: [video(1)] }), 'x', 'extend')).toBe('video-extension');
    expect(deriveGenerationMode(references, 'x', 'edit')).toBe('video-edit');
  });
});

describe('generationModeIssues', () => {
  const issues = (parts: Partial<GenerationMedia>, webSearch = false) =>
    generationModeIssues({ ...withImpliedRoles(media(parts)), webSearch });

  it('first frame and references are mutually exclusive, named where each role is given', () => {
    const found = issues({
      images: [image(1, 'first_frame'), image(2, 'reference_image')],
      videos: [video(3)],
    });
    expect(found.map((issue) => [issue.field, issue.rule])).toEqual([
      ['content[2].role', 'exclusive_modes'],
      ['videos[3]', 'exclusive_modes'],
    ]);
    expect(found[0]?.message).toBe(
      'content[2].role: reference_image cannot be combined with the first_frame image at content[1].image_url.url; first frame, first + last frame and multimodal reference are mutually exclusive',
    );
  });

  it('a last frame needs a first frame; one of each at most', () => {
    expect(issues({ images: [image(1, 'last_frame')] })).toEqual([
      {
        field: 'content[1].role',
        rule: 'last_frame_needs_first_frame',
        message: 'content[1].role: a last_frame image needs a first_frame image as well',
      },
    ]);
    const twice = issues({ images: [image(1, 'first_frame'), image(2, 'first_frame')] });
    expect(twice).toEqual([expect.objectContaining({ field: 'content[2].role', rule: 'max_items' })]);
  });

  it('audio is never the only media', () => {
    expect(issues({ audios: [audio(0)] })).toEqual([
      {
        field: 'audios[0]',
        rule: 'audio_only',
        message: 'audios[0]: audio cannot be the only media input; add a reference image or video',
      },
    ]);
  });

  it('web search only without media', () => {
    expect(issues({}, true)).toEqual([]);
    expect(issues({ videos: [video(0)] }, true)).toEqual([
      expect.objectContaining({ field: 'tools', rule: 'web_search_text_only' }),
    ]);
  });

  it('accepts every valid mode', () => {
    expect(issues({ images: [image(1), image(2, 'last_frame')] })).toEqual([]);
    expect(issues({ images: [image(1, 'reference_image')], videos: [video(2)], audios: [audio(3)] })).toEqual(
      [],
    );
  });
});

describe('modeHintIssue', () => {
  it('refuses a hint the media cannot satisfy', () => {
    const field = 'omni_reference_task_type';
    expect(modeHintIssue('edit', media({ videos: [video(1)] }), field)).toMatchObject({
      field,
      rule: 'mode_inputs',
    });
    expect(modeHintIssue('extend', media({ images: [image(1, 'first_frame')] }), field)?.message).toMatch(
      /first_frame \/ last_frame images are not a reference task/,
    );
    expect(modeHintIssue('extend', media({ videos: [video(1)] }), field)).toBeUndefined();
    expect(modeHintIssue(undefined, media({}), field)).toBeUndefined();
  });
});

describe('modesAccepting', () => {
  it('lists the modes a schema allows', () => {
    expect(modesAccepting({ images: false, videos: false })).toEqual(['text-to-video']);
    expect(modesAccepting({ images: true, videos: true })).toEqual([
      'text-to-video',
      'first-frame',
      'first-last-frame',
      'reference',
      'video-edit',
      'video-extension',
    ]);
  });
});
