import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AnimaticEngine } from '../src/engines/animatic/animatic-engine.ts';
import type { GenerationTask, LocalMedia } from '../src/engines/engine.ts';
import { resolveFfmpegBinaries, type FfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { locateFont } from '../src/media/font.ts';
import { runFfmpeg } from '../src/media/run-ffmpeg.ts';
import { frameCount, outputFps, pixelSize } from '../src/domain/media-facts.ts';

/**
 * What is rendered: `text` is DESIGN.md §9's 5 s text-to-video clip; `first-last` is issue 5's
 * 10 s first + last frame job (two 1280×720 PNGs crossfaded) with the ambience bed and one
 * quoted line spoken by the eSpeak NG program.
 */
export type AnimaticScenario = 'text' | 'first-last';

/** Which binaries and font to benchmark with. */
export interface AnimaticBenchmarkOptions {
  readonly binaries: FfmpegBinaries;
  readonly fontFile: string;
  /** Timed renders after one untimed warm-up; default 5. */
  readonly runs?: number;
  /** Default `text`. */
  readonly scenario?: AnimaticScenario;
}

/** Timings of the benchmark renders. */
export interface AnimaticBenchmarkResult {
  /** Wall-clock seconds of each timed render (engine.generate, painting included). */
  readonly seconds: readonly number[];
  /** Video seconds per wall-clock second, from the median render. */
  readonly realtimeFactor: number;
  readonly width: number;
  readonly height: number;
  readonly durationSeconds: number;
}

/**
 * DESIGN.md §9 "animatic, 5 s 720p with audio ≥ 3× realtime": renders the same 5 s 1280×720 task
 * with audio `runs` times (after a warm-up that loads the font and warms the JIT) and reports the
 * median. Each run uses a different seed so no cache of any kind can help.
 */
export async function benchmarkAnimatic(options: AnimaticBenchmarkOptions): Promise<AnimaticBenchmarkResult> {
  const runs = options.runs ?? 5;
  const scenario = options.scenario ?? 'text';
  const durationSeconds = scenario === 'text' ? 5 : 10;
  const { width, height } = pixelSize('720p', '16:9');
  const engine = new AnimaticEngine({ binaries: options.binaries, fontFile: options.fontFile });
  const logger = pino({ level: 'silent' });
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-animatic-bench-'));
  const images = scenario === 'text' ? [] : await firstAndLastFrames(options.binaries, folder, width, height);
  const task = (seed: number): GenerationTask => ({
    jobId: `bench-${seed}`,
    model: 'bench',
    mode: scenario === 'text' ? 'text-to-video' : 'first-last-frame',
    prompt:
      scenario === 'text'
        ? 'A lighthouse on a cliff at golden hour, waves rolling in below, gulls over the water, slow push in ' +
          'towards the lamp as the light fades'
        : 'The test card dissolves into colour bars at golden hour. The presenter says: "And now, the news."',
    width,
    height,
    fps: outputFps,
    durationSeconds,
    frameCount: frameCount(durationSeconds),
    seed,
    generateAudio: true,
    images,
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
    return { seconds, realtimeFactor: durationSeconds / median, width, height, durationSeconds };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Two output-size PNGs for the first + last frame job, made once before the timed renders. */
async function firstAndLastFrames(
  binaries: FfmpegBinaries,
  folder: string,
  width: number,
  height: number,
): Promise<LocalMedia[]> {
  const make = async (source: string, role: string): Promise<LocalMedia> => {
    const file = path.join(folder, role);
    await runFfmpeg(
      binaries.ffmpeg,
      [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        `${source}=s=${width}x${height}`,
        '-frames:v',
        '1',
        '-f',
        'image2',
        '-c:v',
        'png',
        '-y',
        file,
      ],
      { timeoutMs: 30_000 },
    );
    return { path: file, kind: 'image', role, width, height };
  };
  return [await make('testsrc2', 'first_frame'), await make('smptehdbars', 'last_frame')];
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Run directly: the system ffmpeg on PATH (or the npm fallback), like the server would pick.
  const binaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
  const scenario = process.argv[2] === 'first-last' ? 'first-last' : 'text';
  const result = await benchmarkAnimatic({ binaries, fontFile: locateFont(), scenario });
  console.log(
    `animatic ${scenario} ${result.durationSeconds} s ${result.width}×${result.height} with audio, ${binaries.source} ffmpeg (${binaries.ffmpeg}): ` +
      `${result.realtimeFactor.toFixed(2)}× realtime (median of ${result.seconds.length}: ` +
      `${result.seconds.map((seconds) => seconds.toFixed(3)).join(', ')} s)`,
  );
}
