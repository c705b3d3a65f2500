import { describe, expect, it } from 'vitest';
import type { Artifact, Job } from '../../../domain/job.ts';
import { seedance2Fast } from '../../../catalog/seedance-2.ts';
import { sampleCreatedAt, sampleJob, videoArtifact } from '../../../../test/support/job-fixtures.ts';
import { textRequest } from '../../../../test/support/text-request.ts';
import { arkStatus, arkTokens, renderArkTask } from './ark-task-object.ts';

const created = sampleCreatedAt;
const video: Artifact = videoArtifact({ width: 864, height: 496, durationSeconds: 4, hasAudio: false });

function job(overrides: Partial<Job> = {}): Job {
  return sampleJob({
    dialect: 'modelark',
    request: textRequest({ aspectRatio: 'adaptive', durationSeconds: 4, seed: 17 }),
    input: {
      model: 'dreamina-seedance-2-0-fast-260128',
      service_tier: 'default',
      execution_expires_after: 7200,
      priority: 3,
    },
    deadlineAt: created + 7_200_000,
    updatedAt: created + 1500,
    ...overrides,
  });
}

const noUrls = { videoUrl: undefined, lastFrameUrl: undefined };

describe('the Ark task object', () => {
  it('a queued task: no content, zero usage, the requested ratio, Unix seconds', () => {
    expect(renderArkTask(job(), seedance2Fast, noUrls)).toEqual({
      id: '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b',
      model: 'dreamina-seedance-2-0-fast-260128',
      status: 'queued',
      error: null,
      usage: { completion_tokens: 0, total_tokens: 0 },
      created_at: created / 1000,
      updated_at: created / 1000 + 1,
      seed: 17,
      resolution: '480p',
      ratio: 'adaptive',
      duration: 4,
      framespersecond: 24,
      generate_audio: false,
      service_tier: 'default',
      execution_expires_after: 7200,
      draft: false,
      priority: 3,
      output_format: 'mp4',
    });
  });

  it('a succeeded task: video and last-frame URLs, the resolved ratio, Seedance tokens', () => {
    const done = job({
      status: 'succeeded',
      result: { artifacts: [video], metadata: { aspect_ratio: '16:9' } },
      finishedAt: created + 3000,
    });
    const task = renderArkTask(done, seedance2Fast, { videoUrl: 'https://v', lastFrameUrl: 'https://f' });
    expect(task).toMatchObject({
      status: 'succeeded',
      content: { video_url: 'https://v', last_frame_url: 'https://f' },
      ratio: '16:9',
      usage: { completion_tokens: 40176, total_tokens: 40176 },
    });
    expect(arkTokens(done)).toBe(Math.round((864 * 496 * 24 * 4) / 1024));
  });

  it('a job from another dialect shows the model first ModelArk id and Ark defaults', () => {
    const other = job({ dialect: 'runcomfy', input: { prompt: 'p' }, deadlineAt: null });
    expect(renderArkTask(other, seedance2Fast, noUrls)).toMatchObject({
      model: 'dreamina-seedance-2-0-fast-260128',
      service_tier: 'default',
      execution_expires_after: 172_800,
      priority: 0,
    });
  });

  it('expired is rendered failed with error TaskExpired; failures carry their error', () => {
    expect(arkStatus('expired')).toBe('failed');
    const expired = job({
      status: 'expired',
      error: { code: 'job_expired', message: 'the job did not finish before its deadline', retryable: false },
    });
    expect(renderArkTask(expired, seedance2Fast, noUrls)).toMatchObject({
      status: 'failed',
      error: { code: 'TaskExpired', message: 'the job did not finish before its deadline' },
    });
    const failed = job({
      status: 'failed',
      error: { code: 'engine_failed', message: 'boom', retryable: false },
    });
    expect(renderArkTask(failed, seedance2Fast, noUrls).error).toEqual({
      code: 'engine_failed',
      message: 'boom',
    });
    expect(renderArkTask(job({ status: 'cancelled' }), seedance2Fast, noUrls)).toMatchObject({
      status: 'cancelled',
      error: null,
    });
  });
});
