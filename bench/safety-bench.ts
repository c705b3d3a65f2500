import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Application } from '../src/app.ts';
import { classifierFrameBytes } from '../src/safety/frame-sampler.ts';
import { NsfwClassifier } from '../src/safety/nsfw-classifier.ts';
import { call, pollStatus } from '../test/support/http-client.ts';
import { startTestApplication, testKey } from '../test/support/in-process-server.ts';

/** What the content-safety check costs a 5 s 720p animatic job (issue 11: target ≤ 10 %). */
export interface SafetyBenchmarkResult {
  readonly runs: number;
  /** Median pipeline time (`timing.total_ms`) of the job with REELGATE_SAFETY=off. */
  readonly offMedianMs: number;
  /** The same job with the check on (`flag`, one frame a second: 0–4 s and the last frame). */
  readonly flagMedianMs: number;
  /** (flag − off) / off. */
  readonly addedFraction: number;
  /** Median CPU time of the job (this process and its ffmpeg children) with the check off. */
  readonly offCpuMs: number;
  /** The same with the check on: unlike wall time, barely moved by other load on the machine. */
  readonly flagCpuMs: number;
  /** (flag − off) / off in CPU time. */
  readonly addedCpuFraction: number;
  /** Frames the output check classified per job. */
  readonly framesPerJob: number;
  /**
   * Median wall time of the output check: the derived-images ffmpeg run, which decodes the check's
   * frames too, and the classification still running when it ends.
   */
  readonly outputCheckMs: number;
  /** Median classification time of one 224 × 224 frame, measured on its own after the jobs. */
  readonly frameMs: number;
  /** The backend the classifier ran on (`wasm-simd` unless WebAssembly failed to start). */
  readonly backend: string;
  /** The flag server's one model load, at worker start. */
  readonly loadMs: number;
  /** 1-minute load average before and after the timed jobs: how busy the machine was. */
  readonly loadAverage: readonly [number, number];
}

const body = {
  prompt:
    'A lighthouse on a cliff at golden hour, waves rolling in below, gulls over the water, slow push in towards the lamp',
  resolution: '720p',
  aspect_ratio: '16:9',
  duration: 5,
  generate_audio: true,
  seed: 20_261_121,
};

interface Timed {
  readonly totalMs: number;
  readonly cpuMs: number;
  readonly safety: Record<string, unknown> | undefined;
}

/**
 * CPU time used so far by this process (every thread, the classifier's included) and by its
 * exited children (ffmpeg), in ms. Children's time comes from /proc (clock ticks of 10 ms).
 */
function cpuMs(): number {
  const own = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After "pid (comm) ", field 3 is the state; cutime and cstime are fields 16 and 17.
  const childTicks = Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
  return (own.user + own.system) / 1000 + childTicks * 10;
}

async function timedJob(application: Application): Promise<Timed> {
  const cpuBefore = cpuMs();
  const submitted = await call(`${application.url}/v1/models/bytedance/seedance-v2/fast`, {
    key: testKey,
    body,
  });
  await pollStatus(String(submitted.body['status_url']), testKey, ['completed', 'failed'], 300_000);
  const cpu = cpuMs() - cpuBefore;
  const result = await call(String(submitted.body['result_url']), { key: testKey });
  const metadata = result.body['metadata'] as Record<string, unknown> | undefined;
  if (metadata === undefined) throw new Error(`the benchmark job failed: ${result.text}`);
  const timing = metadata['timing'] as Record<string, number>;
  return {
    totalMs: timing['total_ms'] ?? Number.NaN,
    cpuMs: cpu,
    safety: metadata['safety'] as Record<string, unknown>,
  };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Median time of one frame through a fresh classifier (its load not counted). */
async function frameTime(frames: number): Promise<{ medianMs: number; backend: string }> {
  const classifier = new NsfwClassifier();
  try {
    await classifier.warm();
    const times: number[] = [];
    for (let index = 0; index < frames; index += 1) {
      const frame = new Uint8Array(classifierFrameBytes).fill(index * 37);
      const started = performance.now();
      await classifier.classify(frame);
      times.push(performance.now() - started);
    }
    return { medianMs: median(times), backend: classifier.stats().backend ?? 'none' };
  } finally {
    await classifier.close();
  }
}

/**
 * Runs the same 5 s 720p job with audio and the same seed on two in-process servers, safety `off`
 * and `flag`, interleaved (off, flag, flag, off, …) so drifting background load hits both alike.
 * Each server first runs one untimed warm-up job; the flag server's model is loaded at its start
 * (as a worker does), and its load time is reported separately.
 */
export async function benchmarkSafety(runs = 15): Promise<SafetyBenchmarkResult> {
  const [off, flag] = await Promise.all([
    startTestApplication({ REELGATE_SAFETY: 'off' }),
    startTestApplication({ REELGATE_SAFETY: 'flag' }),
  ]);
  try {
    for (const application of [off, flag]) await timedJob(application);
    const times = { off: [] as number[], flag: [] as number[] };
    const cpu = { off: [] as number[], flag: [] as number[] };
    const checkMs: number[] = [];
    let framesPerJob = 0;
    let loadMs = Number.NaN;
    const loadBefore = loadavg()[0] ?? Number.NaN;
    for (let run = 0; run < runs; run += 1) {
      const order = run % 2 === 0 ? (['off', 'flag'] as const) : (['flag', 'off'] as const);
      for (const mode of order) {
        const timed = await timedJob(mode === 'off' ? off : flag);
        times[mode].push(timed.totalMs);
        cpu[mode].push(timed.cpuMs);
        if (mode === 'off') continue;
        const output = timed.safety?.['output'] as Record<string, number> | undefined;
        framesPerJob = output?.['checked_frames'] ?? 0;
        checkMs.push(output?.['elapsed_ms'] ?? Number.NaN);
        const classifier = timed.safety?.['classifier'] as Record<string, unknown> | undefined;
        loadMs = Number(classifier?.['load_ms']);
      }
    }
    const loadAfter = loadavg()[0] ?? Number.NaN;
    const frame = await frameTime(7);
    const offMedianMs = median(times.off);
    const flagMedianMs = median(times.flag);
    return {
      runs,
      offMedianMs,
      flagMedianMs,
      addedFraction: (flagMedianMs - offMedianMs) / offMedianMs,
      offCpuMs: median(cpu.off),
      flagCpuMs: median(cpu.flag),
      addedCpuFraction: (median(cpu.flag) - median(cpu.off)) / median(cpu.off),
      framesPerJob,
      outputCheckMs: median(checkMs),
      frameMs: frame.medianMs,
      backend: frame.backend,
      loadMs,
      loadAverage: [loadBefore, loadAfter],
    };
  } finally {
    await Promise.all([off.close(), flag.close()]);
  }
}

// `npx tsx bench/safety-bench.ts [runs]` runs this case alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchmarkSafety(Number(process.argv[2] ?? 15));
  console.log(JSON.stringify(result, null, 2));
}
