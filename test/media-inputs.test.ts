import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.ts';
import { createMediaFixtures, type MediaFixtures } from '../src/inputs/media-fixtures.ts';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { downloadFile } from './support/download.ts';
import { call } from './support/http-client.ts';
import { otherKeyOn, startTestApplication, testKey } from './support/in-process-server.ts';
import { startMediaFixtureServer, type MediaFixtureServer } from './support/media-fixture-server.ts';
import { probeFile } from './support/probe.ts';
import { finishedResult, runRunComfy, submitRunComfy } from './support/runcomfy-jobs.ts';

/**
 * Media inputs end to end: real files made by ffmpeg, served by a local HTTP host that the
 * operator has allow-listed (REELGATE_FETCH_ALLOW=127.0.0.1), fetched and probed by the job's
 * preparing stage, then rendered by the animatic engine (images, videos, audio). Files that
 * break a rule end the job `failed`, naming the field and the rule. The network defences (private
 * addresses, redirects, timeouts, retries) are in media-inputs-network.test.ts.
 */

let application: Application;
let fixtures: MediaFixtures;
let host: MediaFixtureServer;
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-media-inputs-'));
  const { ffmpeg } = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
  [fixtures, application] = await Promise.all([
    createMediaFixtures(ffmpeg, folder),
    startTestApplication({ REELGATE_FETCH_ALLOW: '127.0.0.1', REELGATE_WORKER_CONCURRENCY: '3' }),
  ]);
  host = await startMediaFixtureServer(folder);
});
afterAll(async () => {
  await Promise.all([application.close(), host.close()]);
  await rm(folder, { recursive: true, force: true });
});

const url = (file: string) => host.fileUrl(file);
const storedInput = (id: string, name: string) =>
  path.join(application.config.dataDir, 'blobs', 'inputs', id, name);

/** The finished output video, downloaded and probed by ffprobe itself. */
async function probeOutput(result: Record<string, unknown>) {
  const video = String((result['output'] as Record<string, unknown>)['video']);
  const file = path.join(folder, `${String(result['request_id'])}.mp4`);
  const probed = await probeFile(await downloadFile(video, file, 'video/mp4'));
  return {
    video: probed.streams.find((stream) => stream.codec_type === 'video'),
    durationSeconds: Number(probed.format.duration),
  };
}

/** An image job's result: completed, 4:3 from the 640×480 input, an H.264 MP4 of 752×560 and 4 s. */
async function expectAnimated(result: Record<string, unknown>) {
  expect(result, JSON.stringify(result)).toMatchObject({ status: 'completed' });
  expect(result['metadata']).toMatchObject({
    engine: 'animatic',
    aspect_ratio: '4:3',
    width: 752,
    height: 560,
  });
  const output = await probeOutput(result);
  expect(output.video).toMatchObject({ codec_name: 'h264', width: 752, height: 560, pix_fmt: 'yuv420p' });
  expect(Math.abs(output.durationSeconds - 4)).toBeLessThanOrEqual(1 / 24 + 0.03);
}

/** A job whose reference video or audio the animatic engine used: rendered, with its input mode. */
function expectRendered(result: Record<string, unknown>, inputMode: string) {
  expect(result, JSON.stringify(result)).toMatchObject({
    status: 'completed',
    metadata: { engine: 'animatic', engine_details: { inputMode } },
  });
}

describe('inputs that pass every check', () => {
  it.each(['jpeg', 'png', 'webp', 'bmp', 'tiff', 'gif'] as const)(
    'a %s image is fetched once, kept with the job, probed and animated',
    async (format) => {
      const file = fixtures[format];
      const result = await runRunComfy(application, { images: [url(file)] });
      await expectAnimated(result);
      expect(host.hits(`/files/${path.basename(file)}`)).toBe(1);
      const kept = storedInput(String(result['request_id']), 'image-0');
      expect(await readFile(kept)).toEqual(await readFile(file));
    },
  );

  it('a PNG given as a data: URI is animated the same way', async () => {
    const source = `data:image/png;base64,${(await readFile(fixtures.png)).toString('base64')}`;
    await expectAnimated(await runRunComfy(application, { images: [source] }));
  });

  it.each([
    ['an MP4', 'mp4'],
    ['a MOV', 'mov'],
  ] as const)(
    '%s video passes preparing, then the engine cuts it in as a reference',
    async (_name, format) => {
      const result = await runRunComfy(application, { videos: [url(fixtures[format])] });
      expectRendered(result, 'reference');
      const kept = await stat(storedInput(String(result['request_id']), 'video-0'));
      expect(kept.size).toBe((await stat(fixtures[format])).size);
    },
  );

  it.each([
    ['a WAV', 'wav'],
    ['an MP3', 'mp3'],
  ] as const)(
    '%s clip beside an image passes preparing; the engine mixes it into the soundtrack',
    async (_name, format) => {
      const result = await runRunComfy(application, {
        images: [url(fixtures.jpeg)],
        audios: [url(fixtures[format])],
      });
      expectRendered(result, 'reference');
      const kept = await stat(storedInput(String(result['request_id']), 'audio-0'));
      expect(kept.size).toBe((await stat(fixtures[format])).size);
    },
  );
});

interface RefusedCase {
  readonly name: string;
  readonly body: () => Record<string, unknown>;
  /** The job's error message: every problem, each starting with its field. */
  readonly message: RegExp;
}

const refusedCases: RefusedCase[] = [
  {
    name: 'a PNG named .mp4 given as a video',
    body: () => ({ videos: [url(fixtures.pngNamedMp4)] }),
    message: /^videos\[0\]: a PNG image where a video \(MP4 or MOV\) was expected$/,
  },
  {
    name: 'a text file named .jpg',
    body: () => ({ images: [url(fixtures.textNamedJpeg)] }),
    message: /^images\[0\]: text where an image \(JPEG, PNG, WebP, BMP, TIFF or GIF\) was expected$/,
  },
  {
    name: 'a truncated MP4',
    body: () => ({ videos: [url(fixtures.truncatedMp4)] }),
    message: /^videos\[0\]: not a readable MP4 video/,
  },
  {
    name: 'a 1 s clip and a 16 s clip (every broken rule at once)',
    body: () => ({ videos: [url(fixtures.oneSecondMp4), url(fixtures.sixteenSecondMp4)] }),
    message:
      /^videos\[0\]: duration 1 s is outside 2–15 s; videos\[1\]: duration 16 s is outside 2–15 s; videos: the videos last 17 s in total, over the 15 s limit$/,
  },
  {
    name: 'a 17 MB audio clip (beside a valid image)',
    body: () => ({ images: [url(fixtures.png)], audios: [url(fixtures.largeWav)] }),
    message: /^audios\[0\]: URL is too large: Content-Length \d+ bytes exceeds the 15 MiB limit$/,
  },
  {
    name: 'a 7000 px wide image',
    body: () => ({ images: [url(fixtures.wideImage)] }),
    message: /^images\[0\]: 7000×3000 px is too large; each side must be at most 6000 px$/,
  },
  {
    name: 'an HLS playlist given as a video',
    body: () => ({ videos: [url(fixtures.playlist)] }),
    message: /^videos\[0\]: an HLS playlist where a video \(MP4 or MOV\) was expected$/,
  },
  {
    name: 'an ffconcat list given as a video',
    body: () => ({ videos: [url(fixtures.concatList)] }),
    message: /^videos\[0\]: an ffconcat list where a video \(MP4 or MOV\) was expected$/,
  },
];

describe('inputs that break a rule end the job failed, naming the field and the rule', () => {
  it.each(refusedCases)('$name', async (testCase) => {
    const clipHitsBefore = host.hits(`/files/${path.basename(fixtures.mp4)}`);
    const result = await runRunComfy(application, testCase.body());
    expect(result).toMatchObject({ status: 'failed', error: { type: 'input_rejected' } });
    expect(String((result['error'] as Record<string, unknown>)['message'])).toMatch(testCase.message);
    // Playlists and concat lists name clip.mp4: nothing may have followed them to it.
    expect(host.hits(`/files/${path.basename(fixtures.mp4)}`)).toBe(clipHitsBefore);
  });

  it('a data: URI over the image cap is refused at submit, before any job exists', async () => {
    const oversized = `data:image/png;base64,${'A'.repeat(41 * 1024 * 1024)}`;
    const reply = await submitRunComfy(application, { images: [oversized] });
    expect(reply.status).toBe(422);
    expect(reply.body['error_message']).toBe(
      'ValidationError: images[0]: the data: URI holds 30.8 MB; image inputs must be under 30 MB',
    );
    expect(reply.body['detail']).toEqual([
      expect.objectContaining({ type: 'max_bytes', msg: expect.stringMatching(/^images\[0\]: /) as unknown }),
    ]);
  });
});

describe('through another dialect (Runflow)', () => {
  const runUrl = (mode: string) => `${application.url}/v1/models/bytedance/seedance/2.0/fast/${mode}/runs`;

  async function finishedRun(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const created = await call(runUrl('image-to-video'), {
      key: testKey,
      body: { input: { prompt: 'A lighthouse at dusk', resolution: '480p', duration: '4', ...body } },
    });
    expect(created.status, created.text).toBe(201);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const run = await call(`${application.url}/v1/runs/${String(created.body['id'])}`, { key: testKey });
      if (['succeeded', 'failed'].includes(String(run.body['status_code']))) return run.body;
      if (Date.now() > deadline) throw new Error(`timed out: ${run.text}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('a first frame too large fails the run naming input.image_url', async () => {
    const run = await finishedRun({ image_url: url(fixtures.wideImage) });
    expect(run).toMatchObject({
      status_code: 'failed',
      failure_code: 'INPUT_REJECTED',
      failure_message: 'input.image_url: 7000×3000 px is too large; each side must be at most 6000 px',
    });
  });

  it('a valid first frame is animated', async () => {
    const run = await finishedRun({ image_url: url(fixtures.webp) });
    expect(run, JSON.stringify(run)).toMatchObject({ status_code: 'succeeded' });
    const output = (run['output'] as { outputs: Record<string, unknown>[] }).outputs[0];
    expect(output).toMatchObject({ type: 'video', width: 752, height: 560, duration: 4 });
  });
});

describe('asset:// inputs', () => {
  async function uploadImage(): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([await readFile(fixtures.png)]), 'frame.png');
    const response = await fetch(`${application.url}/v1/assets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testKey}` },
      body: form,
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(201);
    return String(body['url']);
  }

  it("the owner's asset is used as is; another key's asset is not found at submit", async () => {
    const asset = await uploadImage();
    expect(asset).toMatch(/^asset:\/\/\S+$/);

    const stranger = await submitRunComfy(application, { images: [asset] }, await otherKeyOn(application));
    expect(stranger.status).toBe(422);
    expect(stranger.body['error_message']).toBe(`ValidationError: images[0]: asset ${asset} not found`);
    expect(stranger.body['detail']).toEqual([expect.objectContaining({ type: 'not_found' })]);

    await expectAnimated(await finishedResult(await submitRunComfy(application, { images: [asset] })));
  });
});
