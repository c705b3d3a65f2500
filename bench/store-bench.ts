import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { GenerationRequest } from '../src/domain/generation-request.ts';
import type { JobResult, NewJob } from '../src/domain/job.ts';
import { openSqliteJobStore } from '../src/store/sqlite/sqlite-job-store.ts';

export interface StoreBenchmarkOptions {
  /** A database file that does not exist yet (its folder is created). */
  readonly file: string;
  /** Jobs to insert and then claim; default 10 000 at NORMAL, 2 000 at FULL (one fsync per write). */
  readonly jobs?: number;
  readonly synchronous?: 'NORMAL' | 'FULL';
}

export interface StoreBenchmark {
  readonly insertPerSecond: number;
  /** One claim plus one complete per job, draining a queue that starts `jobs` deep. */
  readonly claimCompletePerSecond: number;
  readonly insertP99Ms: number;
}

const request: GenerationRequest = {
  model: 'bytedance/seedance-v2/fast',
  mode: 'text-to-video',
  prompt:
    'Golden hour on a quiet cafe terrace, slow push-in, steam rising from a cup, shallow depth of field.',
  resolution: '720p',
  aspectRatio: '16:9',
  durationSeconds: 5,
  generateAudio: true,
  seed: 1234567,
  webSearch: false,
  returnLastFrame: false,
  watermark: false,
  images: [{ source: 'https://example.com/first-frame.png', role: 'first_frame' }],
  videos: [],
  audios: [],
};

const input = {
  prompt: request.prompt,
  resolution: '720p',
  ratio: '16:9',
  duration: 5,
  generate_audio: true,
  seed: 1234567,
  image_url: 'https://example.com/first-frame.png',
};

const result: JobResult = {
  artifacts: [
    {
      kind: 'video',
      role: 'video',
      blobKey: 'outputs/bench/video.mp4',
      contentType: 'video/mp4',
      bytes: 2_345_678,
      width: 1280,
      height: 720,
      durationSeconds: 5,
      fps: 24,
      hasAudio: true,
    },
  ],
  metadata: { engine: 'animatic', ratio: '16:9', timings: { prepareMs: 12, generateMs: 1450 } },
};

/**
 * The SQLite store's hot paths through the JobStore interface (async wrapper included), on a
 * fresh file: `jobs` sequential submits (each awaited, as an API request would), then one worker
 * claiming and completing until the queue is empty.
 */
export async function benchmarkStore(options: StoreBenchmarkOptions): Promise<StoreBenchmark> {
  const synchronous = options.synchronous ?? 'NORMAL';
  const jobs = options.jobs ?? (synchronous === 'FULL' ? 2_000 : 10_000);
  if (existsSync(options.file)) throw new Error(`${options.file} exists; the benchmark needs a fresh file`);
  const store = await openSqliteJobStore({ file: options.file, synchronous });
  try {
    const createdAt = Date.now();
    const newJob = (index: number): NewJob => ({
      id: `bench-${String(index).padStart(8, '0')}`,
      ownerKeyId: 'bench-key',
      dialect: 'runcomfy',
      model: request.model,
      request,
      input,
      callbackUrl: null,
      maxAttempts: 3,
      deadlineAt: null,
      createdAt: createdAt + index,
    });

    const latencies = new Float64Array(jobs);
    const insertStarted = performance.now();
    for (let index = 0; index < jobs; index += 1) {
      const started = performance.now();
      await store.insertJob(newJob(index));
      latencies[index] = performance.now() - started;
    }
    const insertSeconds = (performance.now() - insertStarted) / 1000;
    latencies.sort();

    const now = createdAt + jobs;
    let drained = 0;
    const claimStarted = performance.now();
    for (let job = await store.claimNext('bench-worker', 60_000, now); job;) {
      await store.completeJob(job.id, 'bench-worker', result, now);
      drained += 1;
      job = await store.claimNext('bench-worker', 60_000, now);
    }
    const claimSeconds = (performance.now() - claimStarted) / 1000;
    if (drained !== jobs) throw new Error(`claimed ${drained} of ${jobs} jobs`);

    return {
      insertPerSecond: jobs / insertSeconds,
      claimCompletePerSecond: jobs / claimSeconds,
      insertP99Ms: latencies[Math.min(jobs - 1, Math.floor(jobs * 0.99))] ?? Number.NaN,
    };
  } finally {
    await store.close();
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-store-bench-'));
  try {
    for (const synchronous of ['NORMAL', 'FULL'] as const) {
      const file = path.join(folder, `store-${synchronous}.db`);
      const figures = await benchmarkStore({ file, synchronous });
      console.log(
        `synchronous=${synchronous.padEnd(6)} ` +
          `insert ${figures.insertPerSecond.toFixed(0)}/s (p99 ${figures.insertP99Ms.toFixed(3)} ms), ` +
          `claim + complete ${figures.claimCompletePerSecond.toFixed(0)} jobs/s`,
      );
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
