import type { Application } from '../src/app.ts';
import { call, pollStatus } from '../test/support/http-client.ts';
import { startTestApplication, testKey } from '../test/support/in-process-server.ts';

/** What the content-safety check costs a 5 s 720p animatic job (issue 11: target ≤ 10 %). */
export interface SafetyBenchmarkResult {
  /** Median pipeline time (`timing.total_ms`) of the same job with REELGATE_SAFETY=off. */
  readonly offMedianMs: number;
  /** The same with the check on (flag), one frame a second: 0, 1, 2, 3, 4 s and the last frame. */
  readonly flagMedianMs: number;
  /** The same with REELGATE_SAFETY_FRAME_INTERVAL_SECONDS=5: the first and last frames only. */
  readonly sparseMedianMs: number;
  /** (flag − off) / off. */
  readonly addedFraction: number;
  readonly sparseAddedFraction: number;
  /** Median classification time of one 224 × 224 frame (check time / frames, flag runs). */
  readonly frameMs: number;
  readonly framesPerJob: number;
  /** The one model load of the flag process, as its jobs report it. */
  readonly loadMs: number;
}

const body = {
  prompt:
    'A lighthouse on a cliff at golden hour, waves rolling in below, gulls over the water, slow push in towards the lamp',
  resolution: '720p',
  aspect_ratio: '16:9',
  duration: 5,
  generate_audio: true,
};

interface Timed {
  readonly totalMs: number;
  readonly safety: Record<string, unknown> | undefined;
}

async function timedJob(application: Application, seed: number): Promise<Timed> {
  const submitted = await call(`${application.url}/v1/models/bytedance/seedance-v2/fast`, {
    key: testKey,
    body: { ...body, seed },
  });
  await pollStatus(String(submitted.body['status_url']), testKey, ['completed', 'failed'], 300_000);
  const result = await call(String(submitted.body['result_url']), { key: testKey });
  const metadata = result.body['metadata'] as Record<string, unknown> | undefined;
  if (metadata === undefined) throw new Error(`the benchmark job failed: ${result.text}`);
  const timing = metadata['timing'] as Record<string, number>;
  return { totalMs: timing['total_ms'] ?? Number.NaN, safety: metadata['safety'] as Record<string, unknown> };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Runs the same 5 s 720p job with audio on three in-process servers (safety off, flag at one
 * frame a second, flag at one frame per 5 s), interleaved so background load hits all three
 * alike. Each server first runs an untimed warm-up job; on the checking servers that is the job
 * that loads the model, whose load time is reported separately.
 */
export async function benchmarkSafety(runs = 3): Promise<SafetyBenchmarkResult> {
  const [off, flag, sparse] = await Promise.all([
    startTestApplication({ REELGATE_SAFETY: 'off' }),
    startTestApplication({ REELGATE_SAFETY: 'flag' }),
    startTestApplication({ REELGATE_SAFETY: 'flag', REELGATE_SAFETY_FRAME_INTERVAL_SECONDS: '5' }),
  ]);
  try {
    for (const application of [off, flag, sparse]) await timedJob(application, 0);
    const times = { off: [] as number[], flag: [] as number[], sparse: [] as number[] };
    const frameMs: number[] = [];
    let framesPerJob = 0;
    let loadMs = Number.NaN;
    for (let run = 1; run <= runs; run += 1) {
      times.off.push((await timedJob(off, run)).totalMs);
      const checked = await timedJob(flag, run);
      times.flag.push(checked.totalMs);
      times.sparse.push((await timedJob(sparse, run)).totalMs);
      const output = checked.safety?.['output'] as Record<string, number> | undefined;
      framesPerJob = output?.['checked_frames'] ?? 0;
      frameMs.push((output?.['elapsed_ms'] ?? Number.NaN) / framesPerJob);
      loadMs = Number((checked.safety?.['classifier'] as Record<string, unknown> | undefined)?.['load_ms']);
    }
    const offMedianMs = median(times.off);
    const flagMedianMs = median(times.flag);
    const sparseMedianMs = median(times.sparse);
    return {
      offMedianMs,
      flagMedianMs,
      sparseMedianMs,
      addedFraction: (flagMedianMs - offMedianMs) / offMedianMs,
      sparseAddedFraction: (sparseMedianMs - offMedianMs) / offMedianMs,
      frameMs: median(frameMs),
      framesPerJob,
      loadMs,
    };
  } finally {
    await Promise.all([off.close(), flag.close(), sparse.close()]);
  }
}

// `npx tsx bench/safety-bench.ts` runs this case alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchmarkSafety();
  console.log(JSON.stringify(result, null, 2));
}
