import { describe, expect, it } from 'vitest';
import type { GenerationTask, LocalMedia } from '../engine.ts';
import { modeInputIssue, resolveAnimaticMode } from './animatic-mode.ts';
import { animaticTask } from './animatic-test-support.ts';

const image = (role?: string): LocalMedia => ({
  path: '/tmp/i',
  kind: 'image',
  ...(role === undefined ? {} : { role }),
});
const video: LocalMedia = { path: '/tmp/v', kind: 'video', role: 'reference_video', durationSeconds: 3 };
const audio: LocalMedia = { path: '/tmp/a', kind: 'audio', role: 'reference_audio', durationSeconds: 3 };
const task = (overrides: Partial<GenerationTask>) => animaticTask({ durationSeconds: 5, ...overrides });

describe('resolveAnimaticMode', () => {
  it('takes the task mode when it is set', () => {
    expect(resolveAnimaticMode(task({ mode: 'reference', videos: [video], images: [image()] }))).toBe(
      'reference',
    );
  });

  it('reads a text-to-video task that carries media from its inputs', () => {
    const cases: [Partial<GenerationTask>, string][] = [
      [{}, 'text-to-video'],
      [{ images: [image()] }, 'first-frame'],
      [{ images: [image('first_frame'), image('last_frame')] }, 'first-last-frame'],
      [{ images: [image('reference_image')] }, 'reference'],
      [{ videos: [video], images: [image('reference_image')] }, 'video-edit'],
      [{ videos: [video], images: [image('reference_image')], audios: [audio] }, 'reference'],
      [{ videos: [video], prompt: 'Extend this shot into the night' }, 'video-extension'],
      [{ videos: [video], prompt: '延长这个视频' }, 'video-extension'],
      [{ videos: [video], prompt: 'A montage' }, 'reference'],
      [{ audios: [audio] }, 'reference'],
    ];
    for (const [media, mode] of cases) expect(resolveAnimaticMode(task(media))).toBe(mode);
  });
});

describe('modeInputIssue', () => {
  it('accepts what each mode needs, soundtracks everywhere', () => {
    const ok: [GenerationTask['mode'], Partial<GenerationTask>][] = [
      ['text-to-video', {}],
      ['first-frame', { images: [image('first_frame')], audios: [audio] }],
      ['first-last-frame', { images: [image('first_frame'), image('last_frame')] }],
      [
        'reference',
        {
          images: Array.from({ length: 9 }, () => image('reference_image')),
          videos: [video, video, video],
          audios: [audio, audio, audio],
        },
      ],
      ['video-edit', { images: [image('reference_image')], videos: [video] }],
      ['video-extension', { videos: [video] }],
    ];
    for (const [mode, media] of ok) expect(modeInputIssue(task({ mode, ...media }), mode)).toBeUndefined();
  });

  it('names what is wrong', () => {
    const bad: [GenerationTask['mode'], Partial<GenerationTask>, RegExp][] = [
      ['text-to-video', { images: [image()] }, /carries no media/],
      ['first-last-frame', { images: [image('first_frame')] }, /needs a first_frame and a last_frame/],
      ['reference', {}, /at least one reference/],
      ['reference', { audios: [audio, audio, audio, audio] }, /at most 3 reference audio/],
      ['video-edit', { videos: [video], images: [image('first_frame')] }, /not first_frame or last_frame/],
      ['video-extension', { videos: [video], images: [image('reference_image')] }, /takes no images/],
      ['reference', { videos: [{ ...video, kind: 'image' }] }, /video input is not a video/],
    ];
    for (const [mode, media, reason] of bad)
      expect(modeInputIssue(task({ mode, ...media }), mode)).toMatch(reason);
  });
});
