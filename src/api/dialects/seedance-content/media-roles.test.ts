import { describe, expect, it } from 'vitest';
import type { ContentMedia } from './content-items.ts';
import { resolveMediaRoles } from './media-roles.ts';

const image = (index: number, role?: string): ContentMedia => ({
  kind: 'image',
  source: `https://example.com/${index}.png`,
  role,
  path: `content[${index}]`,
  sourcePath: `content[${index}].image_url.url`,
});
const video = (index: number, role?: string): ContentMedia => ({
  kind: 'video',
  source: `https://example.com/${index}.mp4`,
  role,
  path: `content[${index}]`,
  sourcePath: `content[${index}].video_url.url`,
});
const audio = (index: number, role?: string): ContentMedia => ({
  kind: 'audio',
  source: `https://example.com/${index}.mp3`,
  role,
  path: `content[${index}]`,
  sourcePath: `content[${index}].audio_url.url`,
});

describe('resolveMediaRoles', () => {
  it('an image without a role is the first frame when it is the only image', () => {
    const resolved = resolveMediaRoles([image(1)], 'content');
    expect(resolved.issues).toEqual([]);
    expect(resolved.images).toEqual([
      {
        source: 'https://example.com/1.png',
        field: 'content[1].image_url.url',
        roleField: 'content[1].role',
        role: 'first_frame',
      },
    ]);
  });

  it('an image without a role beside a last_frame is the first frame', () => {
    const resolved = resolveMediaRoles([image(1), image(2, 'last_frame')], 'content');
    expect(resolved.issues).toEqual([]);
    expect(resolved.images.map((reference) => reference.role)).toEqual(['first_frame', 'last_frame']);
  });

  it('images without roles among other media, or several of them, are reference images', () => {
    const withVideo = resolveMediaRoles([image(1), video(2)], 'content');
    expect(withVideo.issues).toEqual([]);
    expect(withVideo.images[0]?.role).toBe('reference_image');
    expect(withVideo.videos[0]?.role).toBe('reference_video');
    const two = resolveMediaRoles([image(1), image(2)], 'content');
    expect(two.images.map((reference) => reference.role)).toEqual(['reference_image', 'reference_image']);
  });

  it('the seed multimodal example (image + video + audio references) is valid', () => {
    const resolved = resolveMediaRoles(
      [image(1, 'reference_image'), video(2, 'reference_video'), audio(3, 'reference_audio')],
      'content',
    );
    expect(resolved.issues).toEqual([]);
    expect(resolved.audios).toEqual([
      {
        source: 'https://example.com/3.mp3',
        field: 'content[3].audio_url.url',
        roleField: 'content[3].role',
        role: 'reference_audio',
      },
    ]);
  });

  it('refuses a role that does not fit the item type', () => {
    const resolved = resolveMediaRoles([video(2, 'first_frame'), image(3, 'reference_video')], 'content');
    expect(resolved.issues.map((issue) => issue.field)).toEqual(['content[2].role', 'content[3].role']);
    expect(resolved.issues[0]?.message).toMatch(/must be reference_video for a video_url item/);
    expect(resolved.issues[1]?.message).toMatch(/one of first_frame, last_frame, reference_image/);
  });

  it('leaves the mode rules to the domain: conflicting roles are kept as given', () => {
    const resolved = resolveMediaRoles([image(1, 'last_frame'), image(2, 'reference_image')], 'content');
    expect(resolved.issues).toEqual([]);
    expect(resolved.images.map((reference) => reference.role)).toEqual(['last_frame', 'reference_image']);
  });

  it('counts: at most 9 images, 3 videos, 3 audio clips', () => {
    const media = [
      ...Array.from({ length: 10 }, (_, index) => image(index, 'reference_image')),
      ...Array.from({ length: 4 }, (_, index) => video(10 + index)),
      ...Array.from({ length: 4 }, (_, index) => audio(14 + index)),
    ];
    const issues = resolveMediaRoles(media, 'content').issues;
    expect(issues.map((issue) => [issue.field, issue.rule])).toEqual([
      ['content', 'max_items'],
      ['content', 'max_items'],
      ['content', 'max_items'],
    ]);
    expect(issues.map((issue) => issue.message).join(' ')).toMatch(
      /at most 9 images.*at most 3 videos.*at most 3 audio/,
    );
  });
});
