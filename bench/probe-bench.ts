import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { probeMedia } from '../src/media/ffprobe.ts';
import { runFfmpeg } from '../src/media/run-ffmpeg.ts';

/** ffprobe of a 5 s 720p H.264 + AAC MP4 (the shape of an input or an output), median of `runs`. */
export async function benchmarkProbe(options: {
  binaries: FfmpegBinaries;
  runs?: number;
}): Promise<{ medianMs: number; p90Ms: number }> {
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-probe-'));
  const file = path.join(folder, 'sample.mp4');
  await runFfmpeg(
    options.binaries.ffmpeg,
    [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=24:duration=5',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=5',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      '-y',
      file,
    ],
    { timeoutMs: 60_000 },
  );
  const times: number[] = [];
  for (let run = 0; run < (options.runs ?? 20); run += 1) {
    const started = performance.now();
    await probeMedia(options.binaries, file, { timeoutMs: 10_000 });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)] ?? Number.NaN,
    p90Ms: times[Math.floor(times.length * 0.9)] ?? Number.NaN,
  };
}
