import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpegBinaries } from './ffmpeg-binaries.ts';
import { parseRate, probeMedia } from './ffprobe.ts';

const run = promisify(execFile);
const binaries = resolveFfmpegBinaries({ searchPath: '/usr/bin:/bin' });
let folder: string;
let clip: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-probe-'));
  clip = path.join(folder, 'clip.mp4');
  // 2 s of 320×240 at 24 fps with a 44.1 kHz mono tone: every field the probe reads is known.
  await run(binaries.ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24:duration=2'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=2'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '1', clip],
  ]);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('probeMedia', () => {
  it('reads format, video and audio facts of a real file', async () => {
    const probe = await probeMedia(binaries, clip, { timeoutMs: 10_000 });
    expect(probe.formatName).toContain('mp4');
    expect(probe.durationSeconds).toBeCloseTo(2, 1);
    expect(probe.sizeBytes).toBeGreaterThan(1000);
    expect(probe.bitRate).toBeGreaterThan(0);
    expect(probe.video).toEqual({
      kind: 'video',
      index: 0,
      codec: 'h264',
      width: 320,
      height: 240,
      pixelFormat: 'yuv420p',
      fps: 24,
      frameCount: 48,
      durationSeconds: 2,
    });
    expect(probe.audio).toMatchObject({ kind: 'audio', codec: 'aac', sampleRate: 44100, channels: 1 });
    expect(probe.streams).toHaveLength(2);
  });

  it('probes quickly (DESIGN.md §9 targets ≤ 100 ms; the bound here only catches gross regressions)', async () => {
    await probeMedia(binaries, clip, { timeoutMs: 10_000 });
    const started = performance.now();
    await probeMedia(binaries, clip, { timeoutMs: 10_000 });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects a file that is not media as unsupported_media_input', async () => {
    const text = path.join(folder, 'notes.mp4');
    await writeFile(text, 'this is not a video');
    await expect(probeMedia(binaries, text, { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'unsupported_media_input',
    });
  });

  it('refuses to follow a playlist to other protocols', async () => {
    const playlist = path.join(folder, 'list.m3u8');
    await writeFile(
      playlist,
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://127.0.0.1:9/segment.ts\n#EXT-X-ENDLIST\n',
    );
    await expect(probeMedia(binaries, playlist, { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'unsupported_media_input',
    });
  });

  it('can pin the demuxers it accepts', async () => {
    await expect(
      probeMedia(binaries, clip, { timeoutMs: 10_000, formatWhitelist: 'png_pipe,image2' }),
    ).rejects.toMatchObject({ code: 'unsupported_media_input' });
    const probe = await probeMedia(binaries, clip, {
      timeoutMs: 10_000,
      formatWhitelist: 'mov,mp4,m4a,3gp,3g2,mj2',
    });
    expect(probe.video?.codec).toBe('h264');
  });
});

describe('parseRate', () => {
  it('parses ffprobe rates', () => {
    expect(parseRate('24/1')).toBe(24);
    expect(parseRate('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRate('25')).toBe(25);
    expect(parseRate('0/0')).toBeUndefined();
    expect(parseRate(undefined)).toBeUndefined();
    expect(parseRate('abc')).toBeUndefined();
  });
});
