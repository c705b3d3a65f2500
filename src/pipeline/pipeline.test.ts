import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveBody } from '../../test/support/download.ts';
import { decodeFrames, psnr } from '../../test/support/frames.ts';
import { sampleJob } from '../../test/support/job-fixtures.ts';
import { probeFile } from '../../test/support/probe.ts';
import { textRequest } from '../../test/support/text-request.ts';
import type { GenerationRequest } from '../domain/generation-request.ts';
import type { Artifact, JobResult } from '../domain/job.ts';
import type { Engine, EngineContext, GenerationTask } from '../engines/engine.ts';
import { resolveFfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { locateFont } from '../media/font.ts';
import { LocalBlobStore } from '../storage/local-blob-store.ts';
import { UrlSigner } from '../storage/url-signer.ts';
import { runPostProcessing } from './conform-output.ts';
import { deriveImages } from './derived-images.ts';
import { Pipeline } from './pipeline.ts';
import { probeVideoFacts } from './probe-video-facts.ts';
import { temporaryFolder } from '../../test/support/temporary-folders.ts';

const run = promisify(execFile);
const binaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
const fontFile = locateFont();

/**
 * An engine that ignores the contract the way real ones do: 640×480 at 30 fps, half a second
 * too long, no audio track whatever was asked. It speaks the Engine interface only.
 */
class CarelessEngine implements Engine {
  readonly id = 'careless';
  supports() {
    return { ok: true } as const;
  }
  async generate(task: GenerationTask, context: EngineContext) {
    const videoPath = path.join(context.workdir, 'careless.mp4');
    const seconds = task.durationSeconds + 0.5;
    await run(binaries.ffmpeg, [
      ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=640x480:rate=30:duration=${seconds}`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-y', videoPath],
    ]);
    return { videoPath, metadata: { careless: true } };
  }
}

/** Runs one job through a real pipeline (real ffmpeg, blobs on disk) with the careless engine. */
async function runJob(request: GenerationRequest) {
  const root = await temporaryFolder('reelgate-pipeline-');
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const blobStore = new LocalBlobStore({
    root: path.join(root, 'blobs'),
    publicUrl: 'http://files.test',
    signer: new UrlSigner('pipeline-test-secret'),
  });
  const pipeline = new Pipeline({
    engineFor: () => new CarelessEngine(),
    blobStore,
    prepareInputs: () => Promise.resolve({ images: [], videos: [], audios: [] }),
    probeVideo: (file, signal) => probeVideoFacts(binaries, file, signal),
    postProcess: (postRequest) => runPostProcessing(binaries, fontFile, postRequest),
    deriveImages: (deriveRequest) => deriveImages(binaries, deriveRequest),
    scratchDir: path.join(root, 'work'),
    logger: pino({ level: 'info' }, sink),
  });
  const result = await pipeline.run(sampleJob({ request }), {
    signal: new AbortController().signal,
    reportProgress: () => undefined,
    saveCheckpoint: () => Promise.resolve(),
  });
  const fetchArtifact = async (artifact: Artifact | undefined, name: string) => {
    const read = artifact === undefined ? undefined : await blobStore.get(artifact.blobKey);
    if (read === undefined) throw new Error(`no ${name} artifact`);
    const file = path.join(root, name);
    await saveBody(new Response(read.stream as unknown as ReadableStream), file);
    return file;
  };
  const artifact = (role: string) => result.artifacts.find((candidate) => candidate.role === role);
  return { result, logs, fetchArtifact, artifact };
}

describe('Pipeline post-processing with an engine that breaks the contract', () => {
  let outcome: Awaited<ReturnType<typeof runJob>>;
  let video: string;

  beforeAll(async () => {
    outcome = await runJob(
      textRequest({ generateAudio: true, durationSeconds: 2, returnLastFrame: true, resolution: '480p' }),
    );
    video = await outcome.fetchArtifact(outcome.artifact('video'), 'video.mp4');
  });

  it('succeeds with an output that meets the contract', async () => {
    const probed = await probeFile(video);
    const videoStream = probed.streams.find((stream) => stream.codec_type === 'video');
    const audioStream = probed.streams.find((stream) => stream.codec_type === 'audio');
    expect(videoStream).toMatchObject({
      codec_name: 'h264',
      pix_fmt: 'yuv420p',
      width: 864,
      height: 496,
      r_frame_rate: '24/1',
      nb_frames: '48',
    });
    expect(audioStream).toMatchObject({ codec_name: 'aac' });
    expect(outcome.artifact('video')).toMatchObject({ width: 864, height: 496, fps: 24, hasAudio: true });
  });

  it('says in the metadata and the job log that it re-encoded, and why', () => {
    const metadata: JobResult['metadata'] = outcome.result.metadata;
    expect(metadata['post_processing']).toEqual([
      {
        step: 'conform',
        reasons: [
          'size 640×480, expected 864×496',
          '30 fps, expected 24',
          'duration 2.500 s, expected 2 s ± 1 frame',
          'no audio stream, but audio was asked for',
        ],
        video: 're-encoded',
        audio: 'silence added',
      },
    ]);
    expect(metadata['engine_output_facts']).toMatchObject({
      width: 640,
      height: 480,
      fps: 30,
      has_audio: false,
    });
    expect(metadata['output_facts']).toMatchObject({
      width: 864,
      height: 496,
      fps: 24,
      duration_seconds: 2,
      video_codec: 'h264',
      pixel_format: 'yuv420p',
      has_audio: true,
      audio_codec: 'aac',
    });
    const warning = outcome.logs.find((line) =>
      String(line['msg']).startsWith('post-processing: conforming'),
    );
    expect(warning).toMatchObject({ jobId: sampleJob().id, engine: 'careless', audio: 'silence added' });
    expect(warning?.['reasons']).toEqual(
      (metadata['post_processing'] as { reasons: string[] }[])[0]?.reasons,
    );
  });

  it('return_last_frame gives a PNG equal to the published video’s last frame', async () => {
    const png = await outcome.fetchArtifact(outcome.artifact('last_frame'), 'last-frame.png');
    const size = { width: 864, height: 496 };
    const [still] = await decodeFrames(png, size);
    // Decoded independently: the last half second of the video, keeping its final frame.
    const tail = await decodeFrames(video, size, { seekFromEnd: 0.5 });
    const last = tail.at(-1);
    if (still === undefined || last === undefined) throw new Error('nothing decoded');
    // Both come from the same decoded H.264 frame; 50 dB allows only colour-conversion rounding.
    expect(psnr(still, last)).toBeGreaterThanOrEqual(50);
    // …and it is the last frame, not merely a similar one: the frame before differs.
    const beforeLast = tail.at(-2);
    if (beforeLast === undefined) throw new Error('one frame only');
    expect(psnr(still, beforeLast)).toBeLessThan(40);
  });
});

describe('Pipeline watermark', () => {
  it('draws the mark for any engine and records it after the conform step', async () => {
    const outcome = await runJob(textRequest({ durationSeconds: 2, watermark: true }));
    expect(outcome.result.metadata['post_processing']).toEqual([
      expect.objectContaining({ step: 'conform', video: 're-encoded', audio: 'none' }),
      { step: 'watermark', text: 'AI generated', corner: 'bottom-right', fontSize: 20, margin: 16 },
    ]);
  });
});
