import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { downloadFile } from './support/download.ts';
import { decodeFrames, psnr } from './support/frames.ts';
import { call, pollStatus } from './support/http-client.ts';
import { startTestApplication, testKey } from './support/in-process-server.ts';

/**
 * Issue 5 end to end through ModelArk with the real animatic engine: `adaptive` follows the first
 * frame or the first reference image, `watermark: true` marks the corner only and is
 * deterministic, and `return_last_frame` publishes the video's own last frame.
 */

const run = promisify(execFile);
const ffmpeg = resolveFfmpegBinaries({ searchPath: process.env['PATH'] }).ffmpeg;
const tasksPath = '/api/v3/contents/generations/tasks';
const size = { width: 864, height: 496 };

let live: Application;
let folder: string;
const pictures: Record<'portrait' | 'square' | 'wide', string> = { portrait: '', square: '', wide: '' };

beforeAll(async () => {
  live = await startTestApplication();
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-post-processing-'));
  const make = async (name: keyof typeof pictures, colour: string, dimensions: string) => {
    const file = path.join(folder, `${name}.png`);
    await run(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `color=c=${colour}:s=${dimensions}`,
      '-frames:v',
      '1',
      file,
    ]);
    pictures[name] = `data:image/png;base64,${(await readFile(file)).toString('base64')}`;
  };
  await Promise.all([
    make('portrait', 'orange', '600x1000'),
    make('square', 'teal', '800x800'),
    make('wide', 'navy', '1400x600'),
  ]);
});
afterAll(async () => {
  await live.close();
});

const text = (value: string) => ({ type: 'text', text: value });
const image = (url: string, role: string) => ({ type: 'image_url', image_url: { url }, role });

/** Submits a ModelArk task (480p, 4 s, silent unless overridden) and waits for it to finish. */
async function finishedTask(content: unknown[], extra: Record<string, unknown> = {}) {
  const created = await call(`${live.url}${tasksPath}`, {
    key: testKey,
    body: {
      model: 'dreamina-seedance-2-0-fast-260128',
      content,
      resolution: '480p',
      duration: 4,
      generate_audio: false,
      ...extra,
    },
  });
  expect(created.status, created.text).toBe(200);
  const id = String(created.body['id']);
  const task = await pollStatus(`${live.url}${tasksPath}/${id}`, testKey, ['succeeded', 'failed'], 120_000);
  expect(task, JSON.stringify(task)).toMatchObject({ status: 'succeeded' });
  const job = await live.store.getJob(id);
  return {
    id,
    task,
    metadata: job?.result?.metadata ?? {},
    content: task['content'] as Record<string, string>,
  };
}

describe('adaptive ratio', () => {
  it('follows the first-frame image, not the last frame', async () => {
    const { metadata } = await finishedTask([
      text('A road at dusk, static shot'),
      image(pictures.portrait, 'first_frame'),
      image(pictures.wide, 'last_frame'),
    ]);
    expect(metadata).toMatchObject({
      mode: 'first-last-frame',
      aspect_ratio: '9:16',
      width: 496,
      height: 864,
    });
  });

  it('follows the first reference image', async () => {
    const { metadata } = await finishedTask([
      text('Two postcards, static shot'),
      image(pictures.square, 'reference_image'),
      image(pictures.wide, 'reference_image'),
    ]);
    expect(metadata).toMatchObject({ mode: 'reference', aspect_ratio: '1:1', width: 640, height: 640 });
  });
});

describe('watermark and last frame', () => {
  const prompt = [text('A quiet harbour at night, lanterns on the water, slow push-in')];
  const common = { ratio: '16:9', seed: 7 };
  let marked: string;
  let markedAgain: string;
  let plain: string;
  let lastFrame: string;

  beforeAll(async () => {
    const [first, second, unmarked] = await Promise.all([
      finishedTask(prompt, { ...common, watermark: true, return_last_frame: true }),
      finishedTask(prompt, { ...common, watermark: true }),
      finishedTask(prompt, { ...common, watermark: false }),
    ]);
    expect(first.metadata['post_processing']).toEqual([
      { step: 'watermark', text: 'AI generated', corner: 'bottom-right', fontSize: 20, margin: 16 },
    ]);
    expect(unmarked.metadata['post_processing']).toEqual([]);
    const fetchTo = (url: string | undefined, name: string) =>
      downloadFile(String(url), path.join(folder, name));
    [marked, markedAgain, plain, lastFrame] = await Promise.all([
      fetchTo(first.content['video_url'], 'marked.mp4'),
      fetchTo(second.content['video_url'], 'marked-again.mp4'),
      fetchTo(unmarked.content['video_url'], 'plain.mp4'),
      fetchTo(first.content['last_frame_url'], 'last-frame.png'),
    ]);
  });

  it('the same request and seed give the same bytes', async () => {
    const digest = async (file: string) =>
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    expect(await digest(marked)).toBe(await digest(markedAgain));
  });

  it('marks the bottom-right corner and leaves the rest of the frame nearly equal', async () => {
    const [markedFrame] = await decodeFrames(marked, size, { maxFrames: 1 });
    const [plainFrame] = await decodeFrames(plain, size, { maxFrames: 1 });
    if (markedFrame === undefined || plainFrame === undefined) throw new Error('nothing decoded');
    const corner = { x: size.width - 200, y: size.height - 64, width: 200, height: 64 };
    // The mark replaces pixels (low PSNR); elsewhere only the re-encode differs (high PSNR).
    expect(psnr(markedFrame, plainFrame, { region: corner })).toBeLessThan(25);
    expect(psnr(markedFrame, plainFrame, { excluded: corner })).toBeGreaterThan(38);
  });

  it('return_last_frame is the video’s last frame (PSNR ≥ 50 dB: equal but for RGB rounding)', async () => {
    const [still] = await decodeFrames(lastFrame, size);
    const last = (await decodeFrames(marked, size, { seekFromEnd: 0.5 })).at(-1);
    if (still === undefined || last === undefined) throw new Error('nothing decoded');
    expect(psnr(still, last)).toBeGreaterThanOrEqual(50);
  });
});
