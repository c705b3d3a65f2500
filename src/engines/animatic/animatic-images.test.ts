import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationTask, LocalMedia } from '../engine.ts';
import { AnimaticEngine } from './animatic-engine.ts';
import {
  animaticTask,
  expectOutput,
  fontFile,
  meanDifference,
  npmBinaries,
  psnr,
  renderAnimatic,
  sampleFrames,
  sha256,
  systemBinaries,
  type SampleFormat,
} from './animatic-test-support.ts';

const run = promisify(execFile);
let folder: string;
type ImageName = 'testsrc' | 'bars' | 'red' | 'green' | 'blue';
/** Input images as the input preparer leaves them: no extension, sniffed and probed. */
let images: Readonly<Record<ImageName, LocalMedia>>;

async function makeImage(
  name: ImageName,
  source: string,
  codec: 'png' | 'mjpeg',
  size: string,
): Promise<[ImageName, LocalMedia]> {
  const file = path.join(folder, `image-${name}`);
  await run(systemBinaries.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', `${source}${source.includes('=') ? ':' : '='}s=${size}`],
    ...['-frames:v', '1', '-f', 'image2', '-c:v', codec],
    ...(codec === 'mjpeg' ? ['-pix_fmt', 'yuvj420p', '-q:v', '2'] : []),
    file,
  ]);
  const [width = 0, height = 0] = size.split('x').map(Number);
  return [name, { path: file, kind: 'image', width, height }];
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-animatic-images-'));
  const made = await Promise.all([
    makeImage('testsrc', 'testsrc', 'png', '1280x960'),
    makeImage('bars', 'smptebars', 'mjpeg', '1024x768'),
    makeImage('red', 'color=c=red', 'png', '640x480'),
    makeImage('green', 'color=c=lime', 'png', '800x800'),
    makeImage('blue', 'color=c=blue', 'mjpeg', '480x640'),
  ]);
  images = Object.fromEntries(made) as Record<ImageName, LocalMedia>;
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function withRole(image: LocalMedia, role: string): LocalMedia {
  return { ...image, role };
}

function task(overrides: Partial<GenerationTask> & { durationSeconds: number }): GenerationTask {
  return animaticTask({ prompt: 'A quiet afternoon, soft light', ...overrides });
}

/** Samples 64 px on the long side, in the output's aspect. */
function sampleFormat(input: GenerationTask, pixelFormat: SampleFormat['pixelFormat']): SampleFormat {
  const landscape = input.width >= input.height;
  const short = Math.round((64 * Math.min(input.width, input.height)) / Math.max(input.width, input.height));
  return { width: landscape ? 64 : short, height: landscape ? short : 64, pixelFormat };
}

/** An image cover-fitted (or, to prove the test can tell, stretched) to the output, as a sample. */
async function sampleImage(image: LocalMedia, input: GenerationTask, fit: 'cover' | 'stretch') {
  const format = sampleFormat(input, 'gray');
  const cover = `scale=${input.width}:${input.height}:force_original_aspect_ratio=increase,crop=${input.width}:${input.height},`;
  const { stdout } = await run(
    systemBinaries.ffmpeg,
    [
      ...['-v', 'error', '-i', image.path, '-vf'],
      `${fit === 'cover' ? cover : ''}scale=${format.width}:${format.height}:flags=area,format=gray`,
      ...['-frames:v', '1', '-f', 'rawvideo', '-'],
    ],
    { encoding: 'buffer' },
  );
  return stdout;
}

/** Mean difference over the rows above the caption box (the lower third carries the caption). */
async function differenceAboveCaption(file: string, frame: number, image: LocalMedia, input: GenerationTask) {
  const format = sampleFormat(input, 'gray');
  const [sample] = await sampleFrames(file, [frame], format);
  const rows = Math.floor(format.height * 0.6);
  return {
    cover: meanDifference(sample, await sampleImage(image, input, 'cover'), rows * format.width),
    stretch: meanDifference(sample, await sampleImage(image, input, 'stretch'), rows * format.width),
  };
}

/** Mean red, green and blue over the rows above the caption box of one frame. */
async function meanColour(file: string, frame: number, input: GenerationTask): Promise<number[]> {
  const format = sampleFormat(input, 'rgb24');
  const [sample] = await sampleFrames(file, [frame], format);
  const pixels = Math.floor(format.height * 0.6) * format.width;
  return [0, 1, 2].map((channel) => {
    let sum = 0;
    for (let index = channel; index < pixels * 3; index += 3) sum += sample?.[index] ?? 0;
    return sum / pixels;
  });
}

describe('AnimaticEngine with a first frame', () => {
  it.each(['push in', 'zoom out', 'static shot'])('opens on the image with a %s', async (move) => {
    const input = task({ durationSeconds: 1, images: [images.testsrc], prompt: `A test card, ${move}` });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    const opening = await differenceAboveCaption(rendered.file, 0, images.testsrc, input);
    expect(opening.cover).toBeLessThan(3);
    expect(opening.stretch).toBeGreaterThan(3 * opening.cover);
    if (move !== 'static shot') {
      const [first, last] = await sampleFrames(rendered.file, [0, input.frameCount - 1]);
      expect(meanDifference(first, last)).toBeGreaterThan(3);
    }
  });

  it('cover-crops a 4:3 image into an exact 9:16 frame and pans from it, with captions and sound', async () => {
    const input = task({
      width: 496,
      height: 864,
      durationSeconds: 2,
      generateAudio: true,
      images: [withRole(images.testsrc, 'first_frame')],
      prompt: 'A test card in a firefly meadow at night, slow pan right',
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    const opening = await differenceAboveCaption(rendered.file, 0, images.testsrc, input);
    expect(opening.cover).toBeLessThan(3);
    expect(opening.stretch).toBeGreaterThan(15);
    expect(rendered.progress[0]).toBe(0);
    expect(rendered.progress.at(-1)).toBe(1);
    expect([...rendered.progress].sort((left, right) => left - right)).toEqual(rendered.progress);
    expect(rendered.metadata).toMatchObject({
      note: expect.stringContaining('not a neural video model'),
      inputMode: 'first-frame',
      audio: { kind: 'synthesised ambience' },
      shots: [
        {
          picture: 'image',
          image: { index: 0, role: 'first_frame' },
          firstFrameIsWholeImage: true,
          cameraMove: 'pan-right',
          particles: 'fireflies',
        },
      ],
    });
  });

  it('renders the same bytes for the same task and image bytes, wherever the file lies', async () => {
    const copy = path.join(folder, 'image-copy');
    await copyFile(images.testsrc.path, copy);
    const input = task({ durationSeconds: 1, generateAudio: true, images: [images.testsrc] });
    const [first, second] = await Promise.all([
      renderAnimatic(folder, input),
      renderAnimatic(folder, { ...input, images: [{ ...images.testsrc, path: copy }] }),
    ]);
    expect(await sha256(first.file)).toBe(await sha256(second.file));
  });
});

describe('AnimaticEngine with reference images', () => {
  const references = () =>
    [images.red, images.green, images.blue].map((image) => withRole(image, 'reference_image'));

  it('cuts once per image when the prompt has one shot', async () => {
    const input = task({ durationSeconds: 3, images: references() });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    const colours = await Promise.all([12, 36, 60].map((frame) => meanColour(rendered.file, frame, input)));
    colours.forEach((colour, shot) => {
      const own = colour[shot] ?? 0;
      expect(own).toBeGreaterThan(150);
      expect(own).toBeGreaterThan(3 * Math.max(...colour.filter((_, channel) => channel !== shot)));
    });
    expect(rendered.metadata).toMatchObject({
      inputMode: 'reference',
      shots: [0, 1, 2].map((index) => ({ image: { index, role: 'reference_image' }, frameCount: 24 })),
    });
  });

  it('lets a time-coded shot pick its image by mention', async () => {
    const input = task({
      durationSeconds: 2,
      images: references(),
      prompt: '[0-1s]: @Image 3 at dawn, push in. [1-2s]: the street from [Image 1], pan left',
    });
    const rendered = await renderAnimatic(folder, input);
    const [blue, red] = await Promise.all([12, 36].map((frame) => meanColour(rendered.file, frame, input)));
    expect(blue?.[2]).toBeGreaterThan(3 * Math.max(blue?.[0] ?? 0, blue?.[1] ?? 0));
    expect(red?.[0]).toBeGreaterThan(3 * Math.max(red?.[1] ?? 0, red?.[2] ?? 0));
    expect(rendered.metadata['shots']).toMatchObject([{ image: { index: 2 } }, { image: { index: 0 } }]);
  });
});

describe('AnimaticEngine on both ffmpeg builds with images', () => {
  it.each([
    ['system ffmpeg 5.1', systemBinaries],
    ['2018 static ffmpeg from npm', npmBinaries],
  ])('crossfades from the first frame to the last frame with the %s', async (_, binaries) => {
    const input = task({
      durationSeconds: 2,
      images: [withRole(images.bars, 'last_frame'), withRole(images.testsrc, 'first_frame')],
      prompt: '[0-1s]: A test card, push in. [1-2s]: Colour bars',
    });
    const rendered = await renderAnimatic(folder, input, {
      engine: new AnimaticEngine({ binaries, fontFile }),
    });
    await expectOutput(rendered.file, input, binaries);
    const last = input.frameCount - 1;
    const middle = Math.floor(last / 2);
    const opening = await differenceAboveCaption(rendered.file, 0, images.testsrc, input);
    const closing = await differenceAboveCaption(rendered.file, last, images.bars, input);
    expect(opening.cover).toBeLessThan(3);
    expect(closing.cover).toBeLessThan(3);
    const middleToFirst = await differenceAboveCaption(rendered.file, middle, images.testsrc, input);
    const middleToLast = await differenceAboveCaption(rendered.file, middle, images.bars, input);
    expect(Math.min(middleToFirst.cover, middleToLast.cover)).toBeGreaterThan(10);
    // The time-coded cut at 1 s does not restart the crossfade: the picture flows across it.
    const [beforeCut, afterCut] = await sampleFrames(rendered.file, [23, 24]);
    expect(meanDifference(beforeCut, afterCut)).toBeLessThan(5);
    expect(rendered.metadata).toMatchObject({
      inputMode: 'first-last-frame',
      shots: [0, 1].map(() => ({
        picture: 'crossfade',
        cameraMove: 'static',
        image: { index: 1, role: 'first_frame' },
        fadesTo: { index: 0, role: 'last_frame' },
      })),
    });
  });

  it.each([
    ['system ffmpeg 5.1', systemBinaries],
    ['2018 static ffmpeg from npm', npmBinaries],
  ])('frames reference images with every camera move with the %s', async (_, binaries) => {
    const input = task({
      durationSeconds: 2,
      generateAudio: true,
      images: [images.testsrc, images.bars],
      prompt:
        '[0-0.4s]: @Image 1 push in. [0.4-0.8s]: @Image 2 zoom out. [0.8-1.2s]: @Image 1 pan left. ' +
        '[1.2-1.6s]: @Image 2 tracking shot in the rain. [1.6-2s]: @Image 1 orbit',
    });
    const rendered = await renderAnimatic(folder, input, {
      engine: new AnimaticEngine({ binaries, fontFile }),
    });
    await expectOutput(rendered.file, input, binaries);
    expect(rendered.metadata['shots']).toMatchObject(
      [
        ['push-in', 0],
        ['pull-out', 1],
        ['pan-left', 0],
        ['tracking', 1],
        ['orbit', 0],
      ].map(([cameraMove, index]) => ({ cameraMove, image: { index, role: null } })),
    );
  });
});

describe('AnimaticEngine ends on the given frames (PSNR at full size)', () => {
  /** The image cover-fitted to the output, grey, full size: what frame 0 (or the last) must show. */
  async function fullImage(image: LocalMedia, input: GenerationTask): Promise<Uint8Array> {
    const { stdout } = await run(
      systemBinaries.ffmpeg,
      [
        ...['-v', 'error', '-i', image.path, '-vf'],
        `scale=${input.width}:${input.height}:force_original_aspect_ratio=increase:flags=lanczos,` +
          `crop=${input.width}:${input.height},format=gray`,
        ...['-frames:v', '1', '-f', 'rawvideo', '-'],
      ],
      { encoding: 'buffer' },
    );
    return stdout;
  }
  /** The rows above the caption box (which starts below 60 % of the height). */
  const aboveCaption = (sample: Uint8Array | undefined, input: GenerationTask) =>
    sample?.subarray(0, Math.floor(input.height * 0.6) * input.width);

  it('opens on the first frame and closes on the last frame, above 30 dB, with motion between', async () => {
    const input = task({
      mode: 'first-last-frame',
      durationSeconds: 3,
      generateAudio: true,
      images: [withRole(images.testsrc, 'first_frame'), withRole(images.bars, 'last_frame')],
      prompt: 'The test card dissolves into colour bars',
    });
    const rendered = await renderAnimatic(folder, input);
    await expectOutput(rendered.file, input);
    const format = { width: input.width, height: input.height, pixelFormat: 'gray' } as const;
    const last = input.frameCount - 1;
    const [opening, middle, closing] = await sampleFrames(
      rendered.file,
      [0, Math.floor(last / 2), last],
      format,
    );
    const [first, final] = await Promise.all([
      fullImage(images.testsrc, input),
      fullImage(images.bars, input),
    ]);
    // 30 dB: one lanczos resize and an H.264 encode at CRF 20 apart, no more.
    expect(psnr(aboveCaption(opening, input), aboveCaption(first, input))).toBeGreaterThan(30);
    expect(psnr(aboveCaption(closing, input), aboveCaption(final, input))).toBeGreaterThan(30);
    // The middle is neither end: a blend, not a hard cut.
    expect(psnr(aboveCaption(middle, input), aboveCaption(first, input))).toBeLessThan(22);
    expect(psnr(aboveCaption(middle, input), aboveCaption(final, input))).toBeLessThan(22);
  });

  it('opens a first-frame push-in on the image itself, above 30 dB', async () => {
    const input = task({
      mode: 'first-frame',
      durationSeconds: 2,
      images: [images.testsrc],
      prompt: 'A test card, slow push in',
    });
    const rendered = await renderAnimatic(folder, input);
    const format = { width: input.width, height: input.height, pixelFormat: 'gray' } as const;
    const [opening, closing] = await sampleFrames(rendered.file, [0, input.frameCount - 1], format);
    const first = await fullImage(images.testsrc, input);
    expect(psnr(aboveCaption(opening, input), aboveCaption(first, input))).toBeGreaterThan(30);
    expect(psnr(aboveCaption(closing, input), aboveCaption(first, input))).toBeLessThan(22);
  });
});
