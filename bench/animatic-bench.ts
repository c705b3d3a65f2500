import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AnimaticEngine } from '../src/engines/animatic/animatic-engine.ts';
import type { GenerationTask } from '../src/engines/engine.ts';
import { resolveFfmpegBinaries, type FfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { locateFont } from '../src/media/font.ts';
import { frameCount, outputFps, pixelSize } from '../src/domain/media-facts.ts';

/** Which binaries and font to benchmark with. */
export interface AnimaticBenchmarkOptions {
  readonly binaries: FfmpegBinaries;
  readonly fontFile: string;
  /** Timed renders after one untimed warm-up; default 5. */
  readonly runs?: number;
}

/** Timings of the benchmark renders. */
export interface AnimaticBenchmarkResult {
  /** Wall-clock seconds of each timed render (engine.generate, painting included). */
  readonly seconds: readonly number[];
  /** Video seconds per wall-clock second, from the median render. */
  readonly realtimeFactor: number;
  readonly width: number;
  readonly height: number;
}

const durationSeconds = 5;

/**
 * DESIGN.md §9 "animatic, 5 s 720p with audio ≥ 3× realtime": renders the same 5 s 1280×720 task
 * with audio `runs` times (after a warm-up that loads the font and warms the JIT) and reports the
 * median. Each run uses a different seed so no cache of any kind can help.
 */
export async function benchmarkAnimatic(options: AnimaticBenchmarkOptions): Promise<AnimaticBenchmarkResult> {
  const runs = options.runs ?? 5;
  const { width, height } = pixelSize('720p', '16:9');
  const engine = new AnimaticEngine({ binaries: options.binaries, fontFile: options.fontFile });
  const logger = pino({ level: 'silent' });
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-animatic-bench-'));
  const task = (seed: number): GenerationTask => ({
    jobId: `bench-${seed}`,
    model: 'bench',
    mode: 'text-to-video',
    prompt:
      'A lighthouse on a cliff at golden hour, waves rolling in below, gulls over the water, slow push in ' +
      'towards the lamp as the light fades',
    width,
    height,
    fps: outputFps,
    durationSeconds,
    frameCount: frameCount(durationSeconds),
    seed,
    generateAudio: true,
    images: [],
    videos: [],
    audios: [],
  });
  const render = async (seed: number): Promise<number> => {
    const workdir = await mkdtemp(path.join(folder, 'run-'));
    const started = performance.now();
    await engine.generate(task(seed), {
      signal: new AbortController().signal,
      workdir,
      reportProgress: () => undefined,
      checkpoint: undefined,
      saveCheckpoint: async () => undefined,
      logger,
    });
    const seconds = (performance.now() - started) / 1000;
    await rm(workdir, { recursive: true, force: true });
    return seconds;
  };
  try {
    await render(0);
    const seconds: number[] = [];
    for (let run = 1; run <= runs; run += 1) seconds.push(await render(run));
    const sorted = [...seconds].sort((left, right) => left - right);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    return { seconds, realtimeFactor: durationSeconds / median, width, height };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Run directly: the system ffmpeg on PATH (or the npm fallback), like the server would pick.
  const binaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
  const result = await benchmarkAnimatic({ binaries, fontFile: locateFont() });
  console.log(
    `animatic 5 s ${result.width}×${result.height} with audio, ${binaries.source} ffmpeg (${binaries.ffmpeg}): ` +
      `${result.realtimeFactor.toFixed(2)}× realtime (median of ${result.seconds.length}: ` +
      `${result.seconds.map((seconds) => seconds.toFixed(3)).join(', ')} s)`,
  );
}
