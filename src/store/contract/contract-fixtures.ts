import { defaultKeyLimits } from '../../domain/api-key.ts';
import type { ApiKey } from '../../domain/api-key.ts';
import type { GenerationRequest } from '../../domain/generation-request.ts';
import type { Job, JobError, JobResult, NewJob } from '../../domain/job.ts';
import type { JobStore } from '../job-store.ts';

/** The clock every contract test starts from; time moves only through the `now` arguments. */
export const t0 = 1_700_000_000_000;

/** The lease, in milliseconds, a claim takes unless a test asks for another. */
export const lease = 30_000;

/** The generation request stored with every job the contract suite inserts. */
export const request: GenerationRequest = {
  model: 'bytedance/seedance-v2/fast',
  mode: 'text-to-video',
  prompt: 'a lighthouse at dusk, slow push-in',
  resolution: '720p',
  aspectRatio: '16:9',
  durationSeconds: 5,
  generateAudio: true,
  seed: 42,
  webSearch: false,
  returnLastFrame: false,
  watermark: false,
  images: [{ source: 'https://example.com/a.png', role: 'first_frame' }],
  videos: [],
  audios: [],
};

/** The dialect's original input, with quotes, an emoji and nesting so the JSON round-trip is tested. */
export const input = {
  prompt: 'a “lighthouse” at dusk 🎬',
  duration: 5,
  nested: { list: [1, 'two', null, true] },
};

/** A successful result with one video artifact and nested metadata. */
export const result: JobResult = {
  artifacts: [
    {
      kind: 'video',
      role: 'video',
      blobKey: 'outputs/job-1/video.mp4',
      contentType: 'video/mp4',
      bytes: 123_456,
      width: 1280,
      height: 720,
      durationSeconds: 5,
      fps: 24,
      hasAudio: true,
    },
  ],
  metadata: { engine: 'animatic', timings: { generateMs: 1500 } },
};

/** A retryable engine failure. */
export const engineError: JobError = {
  code: 'engine_failed',
  message: 'the engine crashed',
  retryable: true,
};

/**
 * A new job for `owner-a` with three attempts, no deadline and no callback, unless `overrides`
 * says otherwise.
 */
export function newJob(id: string, createdAt: number, overrides: Partial<NewJob> = {}): NewJob {
  const defaults = { ownerKeyId: 'owner-a', dialect: 'runcomfy', model: request.model, maxAttempts: 3 };
  return { ...defaults, id, request, input, callbackUrl: null, deadlineAt: null, createdAt, ...overrides };
}

/** A stand-in for the SHA-256 hex digest of the secret of API key `id`: 64 characters, unique per id. */
export function hashOf(id: string): string {
  return `${id}-hash`.padEnd(64, '0');
}

/** An active API key whose secret hash is `hashOf(id)`. */
export function apiKey(id: string, name: string, createdAt: number = t0): ApiKey {
  return {
    id,
    name,
    prefix: `rg_${id}`,
    secretHash: hashOf(id),
    createdAt,
    revokedAt: null,
    scope: 'user',
    limits: defaultKeyLimits,
  };
}

/**
 * What every section of the contract suite shares: the store under test and helpers bound to it.
 * Sections register their tests once, before any store exists, so they call `store()` inside each
 * test to get the store opened for that test.
 */
export interface ContractContext {
  /** The store opened for the current test; call it inside a test, never while registering tests. */
  readonly store: () => JobStore;
  /** Inserts `count` jobs created one millisecond apart from `t0`: ids job-000, job-001, … */
  readonly insertJobs: (count: number, overrides?: Partial<NewJob>) => Promise<Job[]>;
  /** Claims the next job for `workerId` at `now`, and fails the test if there is none. */
  readonly claim: (workerId: string, now: number, leaseMs?: number) => Promise<Job>;
  /** The status of job `id`, or undefined when there is no such job. */
  readonly status: (id: string) => Promise<string | undefined>;
}

/**
 * Builds the context the contract sections share.
 *
 * @param store returns the store opened for the current test.
 */
export function createContractContext(store: () => JobStore): ContractContext {
  async function insertJobs(count: number, overrides: Partial<NewJob> = {}): Promise<Job[]> {
    const jobs: Job[] = [];
    for (let index = 0; index < count; index += 1) {
      const id = `job-${String(index).padStart(3, '0')}`;
      jobs.push(await store().insertJob(newJob(id, t0 + index, overrides)));
    }
    return jobs;
  }

  async function claim(workerId: string, now: number, leaseMs: number = lease): Promise<Job> {
    const job = await store().claimNext(workerId, leaseMs, now);
    if (job === undefined) throw new Error(`expected ${workerId} to claim a job at ${now}`);
    return job;
  }

  async function status(id: string): Promise<string | undefined> {
    return (await store().getJob(id))?.status;
  }

  return { store, insertJobs, claim, status };
}
