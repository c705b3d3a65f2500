import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../domain/app-error.ts';
import type { GenerationTask } from '../engine.ts';
import { AnimaticEngine } from './animatic-engine.ts';
import {
  animaticTask as task,
  expectOutput,
  fontFile,
  meanDifference,
  npmBinaries,
  renderAnimatic,
  sampleFrames as greyFrames,
  sha256,
  systemBinaries,
  systemEngine as engine,
  type Rendered,
} from './animatic-test-support.ts';
import { processesMentioning } from '../../../test/support/processes.ts';

const run = promisify(execFile);
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-animatic-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function render(
  input: GenerationTask,
  options: Parameters<typeof renderAnimatic>[2] = {},
): Promise<Rendered> {
  return renderAnimatic(folder, input, options);
}

describe('AnimaticEngine output', () => {
  it('renders 480p 16:9 without audio: H.264 yuv420p, exact size, 24 fps, exact frames, faststart', async () => {
    const input = task({ durationSeconds: 3 });
    const rendered = await render(input);
    await expectOutput(rendered.file, input);

    const bytes = await readFile(rendered.file);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    expect(rendered.progress[0]).toBe(0);
    expect(rendered.progress.at(-1)).toBe(1);
    expect([...rendered.progress].sort((left, right) => left - right)).toEqual(rendered.progress);

    // The push-in really moves the picture.
    const [first, last] = await greyFrames(rendered.file, [0, input.frameCount - 1]);
    expect(meanDifference(first, last)).toBeGreaterThan(2);
    expect(rendered.metadata).toMatchObject({
      engine: 'animatic',
      kind: 'previz',
      note: expect.stringContaining('not a neural video model'),
      palette: 'golden-hour',
      cameraMove: 'push-in',
      audio: null,
      ffmpegSource: 'system',
    });
  });

  it('renders 720p 21:9 (1470×630) with an AAC ambience bed', async () => {
    const input = task({ width: 1470, height: 630, durationSeconds: 2, generateAudio: true, seed: 11 });
    const rendered = await render(input);
    await expectOutput(rendered.file, input);
    expect(rendered.metadata['audio']).toMatchObject({ kind: 'synthesised ambience', bed: 'surf' });
  });

  it('renders 1080p 16:9 (1920×1088)', async () => {
    const input = task({
      width: 1920,
      height: 1088,
      durationSeconds: 2,
      prompt: 'A neon city street at night, rain, tracking shot',
    });
    await expectOutput((await render(input)).file, input);
  });
});

describe('AnimaticEngine determinism', () => {
  it('renders the same task to the same bytes, and another seed to other bytes', async () => {
    const input = task({ durationSeconds: 1, generateAudio: true, prompt: 'A quiet forest at night, orbit' });
    const [first, second, reseeded] = await Promise.all([
      render(input),
      render(input),
      render({ ...input, seed: input.seed + 1 }),
    ]);
    expect(await sha256(first.file)).toBe(await sha256(second.file));
    expect(await sha256(reseeded.file)).not.toBe(await sha256(first.file));
  });
});

describe('AnimaticEngine time-coded prompts', () => {
  it('cuts hard between shots at the time codes, on a keyframe', async () => {
    const input = task({
      durationSeconds: 2,
      prompt:
        '[0-1s]: A snowy mountain peak at dawn, static tripod shot. [1-2s]: A neon city street at night, locked-off.',
    });
    const rendered = await render(input);
    await expectOutput(rendered.file, input);
    expect(rendered.metadata['shots']).toMatchObject([
      {
        startFrame: 0,
        frameCount: 24,
        palette: 'dawn',
        cameraMove: 'static',
        caption: expect.stringMatching(/^A snowy/),
      },
      {
        startFrame: 24,
        frameCount: 24,
        palette: 'neon',
        cameraMove: 'static',
        caption: expect.stringMatching(/^A neon/),
      },
    ]);

    const [before, last, first, after] = await greyFrames(rendered.file, [22, 23, 24, 25]);
    const acrossCut = meanDifference(last, first);
    expect(acrossCut).toBeGreaterThan(20);
    expect(acrossCut).toBeGreaterThan(
      8 * Math.max(meanDifference(before, last), meanDifference(first, after)),
    );

    const { stdout } = await run(systemBinaries.ffprobe, [
      ...['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=pict_type', '-of', 'csv=p=0'],
      rendered.file,
    ]);
    const pictureTypes = stdout
      .trim()
      .split('\n')
      // Side data (on the first frame) adds a trailing field and an empty line.
      .filter((line) => line.trim() !== '')
      .map((line) => line.split(',')[0]);
    expect(pictureTypes[0]).toBe('I');
    expect(pictureTypes[24]).toBe('I');
  });
});

describe('AnimaticEngine worst case', () => {
  it('renders the most shots, the busiest particles and the longest captions in one ffmpeg command', async () => {
    const words = 'rain lashes the neon signs while a courier in a yellow coat weaves through traffic'.repeat(
      4,
    );
    const prompt = Array.from(
      { length: 12 },
      (_, index) => `[${index / 4}-${(index + 1) / 4}s]: ${words}, tracking`,
    ).join(' ');
    const input = task({ width: 496, height: 864, durationSeconds: 3, prompt, generateAudio: true });
    const rendered = await render(input);
    await expectOutput(rendered.file, input);
    expect(rendered.metadata['shots']).toHaveLength(12);
  });
});

describe('AnimaticEngine on both ffmpeg builds', () => {
  // Every filter path at once: tracking and orbit (near layer), pull-out and push-in (zoompan),
  // static (crop), pan (sliding crop); fireflies (blinking), rain, bokeh (two sprites), bubbles,
  // mist and snow; captions; and the night ambience with crickets.
  const everyPath =
    '[0-0.5s]: A forest at night, tracking shot. [0.5-1s]: Neon street in the rain, zoom out. ' +
    "[1-1.5s]: A diver's view of a coral reef, static. [1.5-2s]: Golden hour over the sea, pan right. " +
    '[2-2.5s]: An overcast meadow, orbit. [2.5-3s]: Snowfall on the mountains, push in.';

  it.each([
    ['system ffmpeg 5.1', systemBinaries],
    ['2018 static ffmpeg from npm', npmBinaries],
  ])('renders every filter path with the %s', async (_, binaries) => {
    const input = task({ durationSeconds: 3, generateAudio: true, prompt: everyPath });
    const rendered = await render(input, { engine: new AnimaticEngine({ binaries, fontFile }) });
    await expectOutput(rendered.file, input, binaries);
    expect(rendered.metadata['ffmpegSource']).toBe(binaries.source);
    expect(rendered.metadata['shots']).toMatchObject(
      [
        ['tracking', 'fireflies'],
        ['pull-out', 'rain'],
        ['static', 'bubbles'],
        ['pan-right', 'dust'],
        ['orbit', 'mist'],
        ['push-in', 'snow'],
      ].map(([cameraMove, particles]) => ({ cameraMove, particles })),
    );
  });
});

describe('AnimaticEngine cancellation', () => {
  it('stops promptly on abort and leaves no ffmpeg behind', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the client');
    let abortedAt = 0;
    const input = task({ width: 1920, height: 1088, durationSeconds: 12, generateAudio: true });
    const attempt = render(input, {
      signal: controller.signal,
      onProgress: (fraction) => {
        // Abort once ffmpeg is running and has written some frames.
        if (fraction > 0.12 && abortedAt === 0) {
          abortedAt = performance.now();
          controller.abort(reason);
        }
      },
    });
    await expect(attempt).rejects.toBe(reason);
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(await processesMentioning(folder)).toEqual([]);
  });
});

describe('AnimaticEngine.supports', () => {
  it('accepts plain text-to-video at the pixel-table sizes', () => {
    expect(engine.supports(task({ durationSeconds: 5, width: 834, height: 1112 }))).toEqual({ ok: true });
  });

  it('accepts a first frame, first and last frames, or reference images', () => {
    const image = (role?: string) => ({
      path: '/tmp/image',
      kind: 'image' as const,
      ...(role === undefined ? {} : { role }),
    });
    for (const images of [
      [image()],
      [image('first_frame'), image('last_frame')],
      Array.from({ length: 9 }, () => image('reference_image')),
    ]) {
      expect(engine.supports(task({ durationSeconds: 5, images }))).toEqual({ ok: true });
    }
  });

  it('accepts every input mode, by the task mode or, for a text-to-video task with media, by its inputs', () => {
    const image = { path: '/tmp/first.png', kind: 'image' as const, role: 'reference_image' };
    const video = {
      path: '/tmp/clip.mp4',
      kind: 'video' as const,
      role: 'reference_video',
      durationSeconds: 3,
    };
    const audio = {
      path: '/tmp/voice.wav',
      kind: 'audio' as const,
      role: 'reference_audio',
      durationSeconds: 3,
    };
    for (const media of [
      { mode: 'reference' as const, images: [image], videos: [video], audios: [audio] },
      { mode: 'video-edit' as const, images: [image], videos: [video] },
      { mode: 'video-extension' as const, videos: [video, video, video] },
      { videos: [video] },
      { images: [image], audios: [audio] },
    ]) {
      expect(engine.supports(task({ durationSeconds: 5, ...media }))).toEqual({ ok: true });
    }
  });

  it('explains what it cannot do', () => {
    const image = { path: '/tmp/first.png', kind: 'image' as const, role: 'first_frame' };
    const video = {
      path: '/tmp/clip.mp4',
      kind: 'video' as const,
      role: 'reference_video',
      durationSeconds: 3,
    };
    const refusals: [Partial<GenerationTask>, RegExp][] = [
      [{ mode: 'video-extension' }, /video extension needs at least one reference video/],
      [{ mode: 'video-edit', videos: [video] }, /needs a reference video and at least one reference image/],
      [{ mode: 'first-frame', images: [image], videos: [video] }, /first-frame takes no reference videos/],
      [{ mode: 'reference', images: [image] }, /takes no first_frame or last_frame/],
      [{ videos: [video, video, video, video] }, /at most 3 reference videos/],
      [{ videos: [{ path: '/tmp/clip.mp4', kind: 'video' }] }, /reference video 1 has no probed duration/],
    ];
    for (const [media, reason] of refusals) {
      expect(engine.supports(task({ durationSeconds: 5, ...media }))).toMatchObject({
        ok: false,
        reason: expect.stringMatching(reason),
      });
    }
    expect(
      engine.supports(task({ durationSeconds: 5, images: [{ ...image, role: 'last_frame' }] })),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/needs a first_frame/) });
    expect(engine.supports(task({ durationSeconds: 5, width: 865 }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/must be even/),
    });
    expect(engine.supports(task({ durationSeconds: 5, frameCount: 0 }))).toMatchObject({ ok: false });
  });

  it('refuses to generate what it does not support', async () => {
    await expect(render(task({ durationSeconds: 1, height: 495 }))).rejects.toBeInstanceOf(AppError);
  });
});
