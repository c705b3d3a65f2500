import type { Artifact, Job } from '../../src/domain/job.ts';
import { textRequest } from './text-request.ts';

/** When the sample jobs were created: 2026-11-21 10:00 UTC. */
export const sampleCreatedAt = Date.UTC(2026, 10, 21, 10, 0, 0);

/**
 * A job as the store holds it right after submission: queued, never claimed, no result or error,
 * for `textRequest()`. `availableAt` and `updatedAt` follow `createdAt` unless overridden; tests
 * override whatever their assertions read (dialect, input, times, status…).
 */
export function sampleJob(overrides: Partial<Job> = {}): Job {
  const createdAt = overrides.createdAt ?? sampleCreatedAt;
  return {
    id: '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b',
    ownerKeyId: 'key',
    dialect: 'runcomfy',
    model: 'bytedance/seedance-v2/fast',
    callbackUrl: null,
    callbackEvents: 'terminal',
    request: textRequest(),
    input: {},
    status: 'queued',
    attempt: 0,
    maxAttempts: 3,
    progress: 0,
    stage: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    availableAt: createdAt,
    deadlineAt: null,
    checkpoint: undefined,
    result: null,
    error: null,
    createdAt,
    startedAt: null,
    finishedAt: null,
    updatedAt: createdAt,
    ...overrides,
  };
}

/** The video artifact of a finished job: 1280×720, 5 s at 24 fps with sound, unless overridden. */
export function videoArtifact(overrides: Partial<Artifact> = {}): Artifact {
  return {
    kind: 'video',
    role: 'video',
    blobKey: 'outputs/x/video.mp4',
    contentType: 'video/mp4',
    bytes: 1000,
    width: 1280,
    height: 720,
    durationSeconds: 5,
    fps: 24,
    hasAudio: true,
    ...overrides,
  };
}
