import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, psnr } from '../../test/support/frames.ts';
import type { GenerationTask } from '../engines/engine.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { resolveFfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { locateFont } from '../media/font.ts';
import { conformOutput, planPostProcessing, runPostProcessing } from './conform-output.ts';
import type { VideoFacts } from './output-check.ts';
import { probeVideoFacts } from './probe-video-facts.ts';
import { temporaryFolder } from '../../test/support/temporary-folders.ts';

const run = promisify(execFile);
const systemBinaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
const npmBinaries = resolveFfmpegBinaries({ searchPath: undefined });
const fontFile = locateFont();
const logger = pino({ level: 'silent' });

/** The contract of a 480p 16:9 job: 864×496, 24 fps. */
function task(overrides: Partial<GenerationTask> = {}): GenerationTask {
  const durationSeconds = overrides.durationSeconds ?? 2;
  return {
    jobId: 'job',
    model: 'bytedance/seedance-v2/fast',
    mode: 'text-to-video',
    prompt: 'p',
    width: 864,
    height: 496,
    fps: 24,
    durationSeconds,
    frameCount: durationSeconds * 24,
    seed: 1,
    generateAudio: false,
    images: [],
    videos: [],
    audios: [],
    ...overrides,
  };
}

const compliantFacts: VideoFacts = {
  videoCodec: 'h264',
  pixelFormat: 'yuv420p',
  width: 864,
  height: 496,
  fps: 24,
  durationSeconds: 2,
  hasAudio: false,
  audioCodec: undefined,
  bytes: 1000,
};

/** Writes a test clip with ffmpeg's own sources: what a (possibly misbehaving) engine might produce. */
async function makeClip(binaries: FfmpegBinaries, file: string, source: string, extra: string[] = []) {
  await run(binaries.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', source, ...extra],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '16', '-y', file],
  ]);
  return file;
}

const conformWith = (binaries: FfmpegBinaries) => ({
  probeVideo: (file: string, signal: AbortSignal) => probeVideoFacts(binaries, file, signal),
  postProcess: (request: Parameters<typeof runPostProcessing>[2]) =>
    runPostProcessing(binaries, fontFile, request),
});

describe('planPostProcessing', () => {
  it('leaves a compliant output alone', () => {
    expect(planPostProcessing(task(), compliantFacts, false)).toEqual({
      problems: [],
      encodeVideo: false,
      audio: 'none',
      watermark: undefined,
    });
  });

  it('re-encodes the video only for a video breach or a watermark', () => {
    const audioOnly = planPostProcessing(task({ generateAudio: true }), compliantFacts, false);
    expect(audioOnly).toMatchObject({ encodeVideo: false, audio: 'silence added' });
    expect(audioOnly.problems.map((problem) => problem.breach)).toEqual(['audio_missing']);
    const unwanted = planPostProcessing(
      task(),
      { ...compliantFacts, hasAudio: true, audioCodec: 'aac' },
      false,
    );
    expect(unwanted).toMatchObject({ encodeVideo: false, audio: 'removed' });
    const marked = planPostProcessing(task(), compliantFacts, true);
    expect(marked).toMatchObject({ encodeVideo: true, problems: [] });
    expect(marked.watermark).toMatchObject({ text: 'AI generated', corner: 'bottom-right', fontSize: 20 });
    const mp3 = planPostProcessing(
      task({ generateAudio: true }),
      { ...compliantFacts, hasAudio: true, audioCodec: 'mp3', fps: 30, durationSeconds: 3 },
      false,
    );
    expect(mp3).toMatchObject({ encodeVideo: true, audio: 're-encoded' });
    expect(mp3.problems.map((problem) => problem.breach)).toEqual(['fps', 'duration', 'audio_codec']);
  });
});

describe.each([
  ['system', systemBinaries],
  ['npm 2018 static', npmBinaries],
] as const)('post-processing with the %s ffmpeg', (_name, binaries) => {
  let workdir: string;
  beforeAll(async () => {
    workdir = await temporaryFolder('reelgate-conform-');
  });

  it('conforms a wrong-size, 30 fps, short, yuv444p, silent clip to the contract in one pass', async () => {
    const input = await makeClip(
      binaries,
      path.join(workdir, 'wrong.mp4'),
      'testsrc=size=640x360:rate=30:duration=1.5',
      ['-pix_fmt', 'yuv444p'],
    );
    const wanted = task({ generateAudio: true });
    const output = await conformOutput(conformWith(binaries), {
      videoPath: input,
      task: wanted,
      watermark: false,
      workdir,
      signal: new AbortController().signal,
      logger,
    });
    expect(output.facts).toMatchObject({
      videoCodec: 'h264',
      pixelFormat: 'yuv420p',
      width: 864,
      height: 496,
      fps: 24,
      hasAudio: true,
      audioCodec: 'aac',
    });
    expect(Math.abs(output.facts.durationSeconds - 2)).toBeLessThanOrEqual(1 / 24);
    const [step] = output.metadata.post_processing;
    expect(step).toMatchObject({ step: 'conform', video: 're-encoded', audio: 'silence added' });
    expect(step?.step === 'conform' ? step.reasons.join('; ') : '').toMatch(
      /pixel format yuv444p.*size 640×360, expected 864×496.*30 fps, expected 24.*duration 1\.500 s.*no audio stream/,
    );
    expect(output.metadata.engine_output_facts).toMatchObject({ width: 640, fps: 30, has_audio: false });
    expect(output.metadata.output_facts).toMatchObject({ width: 864, fps: 24, has_audio: true });
  });

  it('drops unwanted audio without re-encoding the video', async () => {
    const input = path.join(workdir, 'with-sound.mp4');
    await run(binaries.ffmpeg, [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=864x496:rate=24:duration=2'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-y', input],
    ]);
    const output = await conformOutput(conformWith(binaries), {
      videoPath: input,
      task: task(),
      watermark: false,
      workdir,
      signal: new AbortController().signal,
      logger,
    });
    expect(output.facts.hasAudio).toBe(false);
    expect(output.metadata.post_processing).toEqual([
      { step: 'conform', reasons: ['an audio stream nobody asked for'], video: 'copied', audio: 'removed' },
    ]);
  });

  it('publishes a compliant output untouched', async () => {
    const input = await makeClip(
      binaries,
      path.join(workdir, 'good.mp4'),
      'testsrc=size=864x496:rate=24:duration=2',
      ['-pix_fmt', 'yuv420p'],
    );
    const output = await conformOutput(conformWith(binaries), {
      videoPath: input,
      task: task(),
      watermark: false,
      workdir,
      signal: new AbortController().signal,
      logger,
    });
    expect(output.videoPath).toBe(input);
    expect(output.metadata.post_processing).toEqual([]);
    expect(output.metadata.engine_output_facts).toBeUndefined();
  });

  it('draws a visible mark in the bottom-right corner only, the same bytes every time', async () => {
    const input = await makeClip(
      binaries,
      path.join(workdir, 'plain.mp4'),
      'testsrc2=size=864x496:rate=24:duration=2',
      ['-pix_fmt', 'yuv420p'],
    );
    const marked = async (folder: string) => {
      const output = await conformOutput(conformWith(binaries), {
        videoPath: input,
        task: task(),
        watermark: true,
        workdir: await mkdtemp(path.join(workdir, folder)),
        signal: new AbortController().signal,
        logger,
      });
      expect(output.metadata.post_processing).toEqual([
        { step: 'watermark', text: 'AI generated', corner: 'bottom-right', fontSize: 20, margin: 16 },
      ]);
      return output.videoPath;
    };
    const first = await marked('a-');
    const second = await marked('b-');
    const digest = async (file: string) =>
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    expect(await digest(first)).toBe(await digest(second));

    const size = { width: 864, height: 496 };
    const [plainFrame] = await decodeFrames(input, size, { maxFrames: 1 });
    const [markedFrame] = await decodeFrames(first, size, { maxFrames: 1 });
    if (plainFrame === undefined || markedFrame === undefined) throw new Error('no frame decoded');
    // The mark (about 130 × 30 px) sits inside this corner; the rest only went through a re-encode.
    const corner = { x: 864 - 200, y: 496 - 64, width: 200, height: 64 };
    const cornerPsnr = psnr(plainFrame, markedFrame, { region: corner });
    const restPsnr = psnr(plainFrame, markedFrame, { excluded: corner });
    expect(cornerPsnr).toBeLessThan(22);
    expect(restPsnr).toBeGreaterThan(40);
  });
});
