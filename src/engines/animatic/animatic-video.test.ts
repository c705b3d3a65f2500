import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationTask, LocalMedia } from '../engine.ts';
import { AnimaticEngine } from './animatic-engine.ts';
import {
  animaticTask,
  cropSample,
  expectOutput,
  fontFile,
  makeVideo,
  meanDifference,
  npmBinaries,
  psnr,
  renderAnimatic,
  sampleFrames,
  systemBinaries,
  type SampleFormat,
} from './animatic-test-support.ts';

// The animatic engine with reference videos: extension, edit and cutaways, checked frame by frame
// against the reference footage decoded by the system ffmpeg.
const run = promisify(execFile);
let folder: string;
/** 2 s of testsrc2 at exactly the output size and rate: every frame differs from the next. */
let moving: LocalMedia;
/** 2 s of a square mandelbrot zoom at 25 fps: another size, aspect and rate. */
let square: LocalMedia;
let red: LocalMedia;
let blue: LocalMedia;
let bars: LocalMedia;

const size = { width: 864, height: 496 };
const full: SampleFormat = { ...size, pixelFormat: 'gray' };

async function makeImage(name: string, source: string, imageSize: string): Promise<LocalMedia> {
  const file = path.join(folder, name);
  await run(systemBinaries.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', `${source}${source.includes('=') ? ':' : '='}s=${imageSize}`],
    ...['-frames:v', '1', '-f', 'image2', '-c:v', 'png', '-y', file],
  ]);
  const [width = 0, height = 0] = imageSize.split('x').map(Number);
  return { path: file, kind: 'image', role: 'reference_image', width, height };
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-animatic-video-'));
  const video = async (name: string, source: string, width: number, height: number): Promise<LocalMedia> => ({
    path: await makeVideo(path.join(folder, name), source, { seconds: 2 }),
    kind: 'video',
    role: 'reference_video',
    width,
    height,
    durationSeconds: 2,
  });
  [moving, square, red, blue, bars] = await Promise.all([
    video('moving', `testsrc2=s=${size.width}x${size.height}:r=24`, size.width, size.height),
    video('square', 'mandelbrot=s=480x480:r=25', 480, 480),
    makeImage('red', 'color=c=red', '640x480'),
    makeImage('blue', 'color=c=blue', '480x640'),
    makeImage('bars', 'smptebars', '800x600'),
  ]);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function task(overrides: Partial<GenerationTask> & { durationSeconds: number }): GenerationTask {
  return animaticTask({ ...size, ...overrides });
}

/** Frames of a reference video, decoded and letterboxed to the output size like the engine does. */
async function referenceFrames(video: LocalMedia, frames: readonly number[]): Promise<Uint8Array[]> {
  return sampleFrames(video.path, frames, full);
}

/** An image cover-fitted to a rectangle's size, as a grey sample. */
async function imageSample(image: LocalMedia, width: number, height: number): Promise<Uint8Array> {
  const { stdout } = await run(
    systemBinaries.ffmpeg,
    [
      ...['-v', 'error', '-i', image.path, '-vf'],
      `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},format=gray`,
      ...['-frames:v', '1', '-f', 'rawvideo', '-'],
    ],
    { encoding: 'buffer' },
  );
  return stdout;
}

describe('AnimaticEngine video extension', () => {
  it('plays the reference first, frame for frame, then holds its last frame and pushes in, captioned', async () => {
    const input = task({
      mode: 'video-extension',
      durationSeconds: 4,
      videos: [moving],
      prompt: 'Extend the clip: the camera keeps going, slow push in',
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);

    // The first two seconds are the reference: PSNR per sampled frame (threshold 35 dB: both are
    // H.264 at high quality; a frame off by one in time measures under 20 dB on testsrc2).
    const sampled = [0, 7, 15, 23, 31, 39, 47];
    const [output, reference] = await Promise.all([
      sampleFrames(rendered.file, sampled, full),
      referenceFrames(moving, sampled),
    ]);
    sampled.forEach((_, index) => expect(psnr(output[index], reference[index])).toBeGreaterThan(35));
    const [offByOne] = await referenceFrames(moving, [8]);
    expect(psnr(output[1], offByOne)).toBeLessThan(25);

    // Past the reference: its last frame, held, then closed in on; the caption appears there.
    const [held, end] = await sampleFrames(rendered.file, [48, 95], full);
    const top = { x: 0, y: 0, width: size.width, height: 280 };
    expect(
      psnr(cropSample(held, size.width, top), cropSample(reference[6], size.width, top)),
    ).toBeGreaterThan(30);
    expect(psnr(cropSample(end, size.width, top), cropSample(reference[6], size.width, top))).toBeLessThan(
      20,
    );
    const lowerThird = { x: 0, y: 400, width: size.width, height: 80 };
    expect(
      meanDifference(
        cropSample(held, size.width, lowerThird),
        cropSample(reference[6], size.width, lowerThird),
      ),
    ).toBeGreaterThan(8);
    expect(rendered.metadata).toMatchObject({
      inputMode: 'video-extension',
      footage: {
        videos: [{ index: 0, durationSeconds: 2 }],
        referenceEndsAtSeconds: 2,
        continuation: { move: 'push-in', fromSeconds: 2, kind: 'held last frame' },
      },
      shots: [{ picture: 'footage' }],
    });
  });

  it('concatenates several references, letterboxing one of another shape, and cuts to the duration', async () => {
    const input = task({
      mode: 'video-extension',
      durationSeconds: 3,
      videos: [moving, square],
      prompt: 'Continue [Video 2] after [Video 1], static',
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    // Mentions order the clips: the square one first, letterboxed between black bars.
    const [squareFirst, movingSecond] = await sampleFrames(rendered.file, [12, 60], full);
    const leftBar = { x: 0, y: 0, width: 180, height: size.height };
    const bar = cropSample(squareFirst, size.width, leftBar);
    expect(bar.reduce((total, value) => total + value, 0) / bar.length).toBeLessThan(20);
    const [referenceMoving] = await referenceFrames(moving, [12]);
    expect(psnr(movingSecond, referenceMoving)).toBeGreaterThan(35);
    expect(rendered.metadata).toMatchObject({
      footage: { videos: [{ index: 1 }, { index: 0 }], referenceEndsAtSeconds: 3 },
    });
    expect(rendered.metadata['footage']).not.toHaveProperty('continuation');
  });
});

describe('AnimaticEngine video edit', () => {
  it('re-times the reference to the duration and fills the middle with the image by default', async () => {
    const input = task({
      mode: 'video-edit',
      durationSeconds: 3,
      videos: [moving],
      images: [bars],
      prompt: 'Replace the bottle in the video with the product from the image',
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    const composite = (
      rendered.metadata['footage'] as {
        composite: { images: { x: number; y: number; width: number; height: number }[] };
      }
    ).composite;
    const region = composite.images[0];
    if (region === undefined) throw new Error('no composite');
    expect(region).toEqual({ index: 0, x: 260, y: 124, width: 346, height: 248 });

    // The image fills its region on every frame (above the caption box, which may overlap it).
    const visible = { ...region, height: 150 };
    const expected = cropSample(await imageSample(bars, region.width, region.height), region.width, {
      x: 0,
      y: 0,
      width: region.width,
      height: visible.height,
    });
    const frames = await sampleFrames(rendered.file, [0, 36, 71], full);
    for (const frame of frames)
      expect(psnr(cropSample(frame, size.width, visible), expected)).toBeGreaterThan(28);

    // Beside it, the reference moves, slowed by 1.5: output frame 36 is reference frame 24, not 36.
    const left = { x: 0, y: 0, width: 250, height: 400 };
    const [reference24, reference36] = await referenceFrames(moving, [24, 36]);
    const middle = cropSample(frames[1], size.width, left);
    const matching = psnr(middle, cropSample(reference24, size.width, left));
    expect(matching).toBeGreaterThan(30);
    expect(psnr(middle, cropSample(reference36, size.width, left))).toBeLessThan(matching - 8);
    expect(meanDifference(cropSample(frames[0], size.width, left), middle)).toBeGreaterThan(5);
    expect(rendered.metadata).toMatchObject({
      inputMode: 'video-edit',
      footage: {
        retimeFactor: 1.5,
        composite: { style: 'replace', styleFrom: 'prompt', place: 'middle centre' },
      },
    });
  });

  it('overlays the image as a framed picture-in-picture where the prompt says', async () => {
    const input = task({
      mode: 'video-edit',
      durationSeconds: 2,
      videos: [moving],
      images: [blue],
      prompt: 'Overlay the logo from the image in the top left corner',
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    const composite = (
      rendered.metadata['footage'] as {
        composite: { images: { x: number; y: number; width: number; height: number }[] };
      }
    ).composite;
    const region = composite.images[0];
    if (region === undefined) throw new Error('no composite');
    expect(region).toMatchObject({ x: 52, y: 40, width: 242, height: 138 });
    const [frame] = await sampleFrames(rendered.file, [30], { ...size, pixelFormat: 'rgb24' });
    const pixel = (x: number, y: number) => [
      ...(frame?.subarray((y * size.width + x) * 3, (y * size.width + x) * 3 + 3) ?? []),
    ];
    const [r = 0, g = 0, b = 0] = pixel(region.x + region.width / 2, region.y + region.height / 2);
    expect(b).toBeGreaterThan(200);
    expect(Math.max(r, g)).toBeLessThan(40);
    // The white frame around it.
    expect(Math.min(...pixel(region.x + 1, region.y + region.height / 2))).toBeGreaterThan(200);
    expect(rendered.metadata).toMatchObject({
      footage: { composite: { style: 'overlay', place: 'top left' } },
    });
  });
});

describe('AnimaticEngine with reference videos as shots', () => {
  it('cuts in the order the prompt names the references', async () => {
    const input = task({
      mode: 'reference',
      durationSeconds: 3,
      videos: [moving],
      images: [red, blue],
      prompt: 'Start on [Image 2], cut to [Video 1], end on [Image 1]',
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    const rgb: SampleFormat = { width: 64, height: 36, pixelFormat: 'rgb24' };
    const [first, , third] = await sampleFrames(rendered.file, [12, 36, 60], rgb);
    const mean = (sample: Uint8Array | undefined, channel: number) => {
      let total = 0;
      // Rows above the caption only.
      for (let index = channel; index < 20 * 64 * 3; index += 3) total += sample?.[index] ?? 0;
      return total / (20 * 64);
    };
    expect(mean(first, 2)).toBeGreaterThan(3 * Math.max(mean(first, 0), mean(first, 1)));
    expect(mean(third, 0)).toBeGreaterThan(3 * Math.max(mean(third, 1), mean(third, 2)));
    // The cutaway plays the reference from its start (cover-fitted: same size here).
    const [cutaway] = await sampleFrames(rendered.file, [24 + 10], full);
    const [reference] = await referenceFrames(moving, [10]);
    const top = { x: 0, y: 0, width: size.width, height: 280 };
    expect(
      psnr(cropSample(cutaway, size.width, top), cropSample(reference, size.width, top)),
    ).toBeGreaterThan(25);
    expect(rendered.metadata['shots']).toMatchObject([
      { picture: 'image', image: { index: 1 } },
      { picture: 'video', video: { index: 0, role: 'reference_video' } },
      { picture: 'image', image: { index: 0 } },
    ]);
  });
});

describe('AnimaticEngine video modes on both ffmpeg builds', () => {
  it.each([
    ['system ffmpeg 5.1', systemBinaries],
    ['2018 static ffmpeg from npm', npmBinaries],
  ])('renders an extension, a pan continuation and an edit with the %s', async (_, binaries) => {
    const engine = new AnimaticEngine({ binaries, fontFile });
    const extension = task({
      mode: 'video-extension',
      durationSeconds: 3,
      videos: [square, moving],
      prompt: '[0-2.5s]: the clip. [2.5-3s]: then pan right over the town',
    });
    const edit = task({
      mode: 'video-edit',
      durationSeconds: 2,
      videos: [square],
      images: [red, blue],
      prompt: 'Swap the two signs on the right for the images',
    });
    for (const input of [extension, edit]) {
      const rendered = await renderAnimatic(folder, input, { engine });
      await expectOutput(rendered.file, input, binaries);
    }
  });
});
