import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { resolveFfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { probeMedia } from '../media/ffprobe.ts';
import { createMediaFixtures, type MediaFixtures } from './media-fixtures.ts';
import { demuxerWhitelists, inspectMedia, type MediaFacts } from './media-inspect.ts';
import { mediaLimitIssues } from './media-limits.ts';
import type { MediaKind } from './media-sniff.ts';

const run = promisify(execFile);
const systemBinaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
/** An empty search path skips the system binaries: this is the ffprobe the npm package ships. */
const npmBinaries = resolveFfmpegBinaries({ searchPath: '' });
const builds = [
  ['system ffprobe', systemBinaries],
  ['npm static ffprobe', npmBinaries],
] as const;

let folder: string;
let media: MediaFixtures;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-inspect-'));
  media = await createMediaFixtures(systemBinaries.ffmpeg, folder);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function inspect(file: string, expectedKind: MediaKind, binaries = systemBinaries): Promise<MediaFacts> {
  return inspectMedia(binaries, file, { expectedKind, timeoutMs: 10_000 });
}

/** The limit messages for one inspected file, as `input.<list>[0]`. */
async function limitMessages(file: string, kind: MediaKind): Promise<string[]> {
  const facts = await inspect(file, kind);
  const inputs = [{ field: `input.${kind}s[0]`, facts }];
  // A lone audio clip would also break audio_only; give it the company it needs.
  if (kind === 'audio') inputs.push({ field: 'input.images[0]', facts: await inspect(media.png, 'image') });
  return mediaLimitIssues(inputs).map((issue) => issue.message);
}

describe('inspectMedia on accepted files', () => {
  it.each([
    ['jpeg', 'image/jpeg', 'mjpeg'],
    ['png', 'image/png', 'png'],
    ['webp', 'image/webp', 'webp'],
    ['bmp', 'image/bmp', 'bmp'],
    ['tiff', 'image/tiff', 'tiff'],
    ['gif', 'image/gif', 'gif'],
  ] as const)('reads a %s image', async (format, mime, codec) => {
    const facts = await inspect(media[format], 'image');
    expect(facts).toEqual({
      kind: 'image',
      format,
      mime,
      bytes: expect.any(Number) as number,
      width: 640,
      height: 480,
      videoCodec: codec,
      hasAudio: false,
      hasVideo: false,
    });
    expect(facts.bytes).toBeGreaterThan(1000);
    expect(mediaLimitIssues([{ field: 'images[0]', facts }])).toEqual([]);
  });

  it.each([
    ['mp4', 'mp4', 'video/mp4', true],
    ['silentMp4', 'mp4', 'video/mp4', false],
    ['mov', 'mov', 'video/quicktime', true],
    ['silentMov', 'mov', 'video/quicktime', false],
  ] as const)('reads the %s fixture', async (name, format, mime, hasAudio) => {
    const facts = await inspect(media[name], 'video');
    expect(facts).toMatchObject({ kind: 'video', format, mime, width: 640, height: 480, fps: 24 });
    expect(facts.durationSeconds).toBeCloseTo(3, 1);
    expect(facts.videoCodec).toBe('h264');
    expect(facts.hasVideo).toBe(true);
    expect(facts.hasAudio).toBe(hasAudio);
    expect(facts.audioCodec).toBe(hasAudio ? 'aac' : undefined);
    expect(mediaLimitIssues([{ field: 'videos[0]', facts }])).toEqual([]);
  });

  it.each([
    ['wav', 'wav', 'audio/wav', 'pcm_s16le'],
    ['mp3', 'mp3', 'audio/mpeg', 'mp3'],
    ['bareMp3', 'mp3', 'audio/mpeg', 'mp3'],
  ] as const)('reads the %s fixture', async (name, format, mime, codec) => {
    const facts = await inspect(media[name], 'audio');
    expect(facts).toMatchObject({
      kind: 'audio',
      format,
      mime,
      audioCodec: codec,
      hasAudio: true,
      hasVideo: false,
    });
    expect(facts.durationSeconds).toBeCloseTo(3, 1);
    expect(facts.width).toBeUndefined();
    expect(facts.fps).toBeUndefined();
  });

  it.each(builds)('pins the demuxers so that %s still reads MP4, PNG and JPEG', async (_name, binaries) => {
    expect(await inspect(media.mp4, 'video', binaries)).toMatchObject({
      format: 'mp4',
      fps: 24,
      hasAudio: true,
    });
    expect(await inspect(media.png, 'image', binaries)).toMatchObject({ format: 'png', width: 640 });
    // Named .jpg, a JPEG is opened by image2; without an extension, by jpeg_pipe. Both are listed.
    const bare = path.join(folder, 'image-0');
    await copyFile(media.jpeg, bare);
    expect(await inspect(media.jpeg, 'image', binaries)).toMatchObject({ format: 'jpeg', height: 480 });
    expect(await inspect(bare, 'image', binaries)).toMatchObject({ format: 'jpeg', height: 480 });
  });

  it('inspects in well under the 100 ms target once warm (the bound here only catches regressions)', async () => {
    await inspect(media.mp4, 'video');
    const started = performance.now();
    await inspect(media.mp4, 'video');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('inspectMedia on refused files', () => {
  it.each([
    ['pngNamedMp4', 'video', 'a PNG image where a video (MP4 or MOV) was expected'],
    ['textNamedJpeg', 'image', 'text where an image (JPEG, PNG, WebP, BMP, TIFF or GIF) was expected'],
    ['truncatedMp4', 'video', 'not a readable MP4 video'],
    ['playlist', 'video', 'an HLS playlist where a video (MP4 or MOV) was expected'],
    ['concatList', 'video', 'an ffconcat list where a video (MP4 or MOV) was expected'],
    ['mp3', 'video', 'an MP3 audio file where a video (MP4 or MOV) was expected'],
    ['mp4', 'audio', 'an MP4 video where an audio file (WAV or MP3) was expected'],
  ] as const)('refuses the %s fixture where the request expects %s', async (name, kind, message) => {
    const error = await inspect(media[name], kind).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'input_rejected', message, field: undefined });
  });

  it.each(builds)(
    'with %s, the pinned demuxers never open a playlist or a concat list',
    async (_name, binaries) => {
      // The sniffer already refuses these; this proves the second wall holds on its own.
      for (const file of [media.playlist, media.concatList]) {
        for (const format of ['mp4', 'png', 'jpeg', 'wav', 'mp3'] as const) {
          await expect(
            probeMedia(binaries, file, { timeoutMs: 10_000, formatWhitelist: demuxerWhitelists[format] }),
          ).rejects.toMatchObject({ code: 'unsupported_media_input' });
        }
      }
    },
  );

  it('refuses an ID3 tag in front of MPEG layer II audio: the codec must match the magic', async () => {
    const layerTwo = path.join(folder, 'layer-two.mp2');
    await run(systemBinaries.ffmpeg, [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '3', '-c:a', 'mp2', layerTwo],
    ]);
    const tagged = path.join(folder, 'tagged.mp3');
    const emptyId3Tag = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0]);
    await writeFile(tagged, Buffer.concat([emptyId3Tag, await readFile(layerTwo)]));
    await expect(inspect(tagged, 'audio')).rejects.toMatchObject({
      code: 'input_rejected',
      message: 'not a readable MP3 audio file: its data is mp2',
    });
  });

  it('refuses a JPEG path that image2 would read as a numbered sequence', async () => {
    const patterned = path.join(folder, 'sequence-%d');
    await mkdir(patterned);
    await copyFile(media.jpeg, path.join(patterned, 'frame.jpg'));
    await expect(inspect(path.join(patterned, 'frame.jpg'), 'image')).rejects.toMatchObject({
      code: 'internal_error',
    });
  });

  it('passes an abort through instead of blaming the file', async () => {
    const error = await inspectMedia(systemBinaries, media.mp4, {
      expectedKind: 'video',
      signal: AbortSignal.abort(),
    }).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(AppError);
    expect(error).toMatchObject({ name: 'AbortError' });
  });
});

describe('inspected files against the input limits', () => {
  it('refuses a 1 s and a 16 s clip', async () => {
    expect(await limitMessages(media.oneSecondMp4, 'video')).toEqual([
      'input.videos[0]: duration 1 s is outside 2–15 s',
    ]);
    expect(await limitMessages(media.sixteenSecondMp4, 'video')).toEqual([
      'input.videos[0]: duration 16 s is outside 2–15 s',
      'input.videos: the videos last 16 s in total, over the 15 s limit',
    ]);
  });

  it('refuses a 12 fps video', async () => {
    expect(await limitMessages(media.twelveFpsMp4, 'video')).toEqual([
      'input.videos[0]: frame rate 12 fps is outside 24–60 fps',
    ]);
  });

  it('refuses a 1.4 s audio clip and a 17 MB one', async () => {
    expect(await limitMessages(media.shortWav, 'audio')).toEqual([
      'input.audios[0]: duration 1.4 s is outside 2–15 s',
    ]);
    expect(await limitMessages(media.largeWav, 'audio')).toEqual([
      'input.audios[0]: size 16.5 MB is too large; audio clips must be at most 15 MB',
    ]);
  });

  it('refuses a 7000 px wide image and a 3:1 one', async () => {
    expect(await limitMessages(media.wideImage, 'image')).toEqual([
      'input.images[0]: 7000×3000 px is too large; each side must be at most 6000 px',
    ]);
    expect(await limitMessages(media.panoramaImage, 'image')).toEqual([
      'input.images[0]: aspect ratio 3 (1800×600 px) is outside 0.4–2.5',
    ]);
  });

  it('refuses two 8 s videos together (16 s in total) but accepts each alone', async () => {
    const facts = await inspect(media.eightSecondMp4, 'video');
    expect(mediaLimitIssues([{ field: 'input.videos[0]', facts }])).toEqual([]);
    const issues = mediaLimitIssues([
      { field: 'input.videos[0]', facts },
      { field: 'input.videos[1]', facts },
    ]);
    expect(issues).toEqual([
      {
        field: 'input.videos',
        rule: 'total_duration',
        message: 'input.videos: the videos last 16 s in total, over the 15 s limit',
      },
    ]);
  });

  it('refuses audio as the only media, and accepts it beside a video', async () => {
    const audio = { field: 'input.audios[0]', facts: await inspect(media.wav, 'audio') };
    expect(mediaLimitIssues([audio])).toEqual([
      {
        field: 'input.audios',
        rule: 'audio_only',
        message: 'input.audios: audio cannot be the only media input; add an image or a video',
      },
    ]);
    const video = { field: 'input.videos[0]', facts: await inspect(media.mp4, 'video') };
    expect(mediaLimitIssues([audio, video])).toEqual([]);
  });
});
