import { describe, expect, it } from 'vitest';
import { AppError } from '../../../domain/app-error.ts';
import type { Job } from '../../../domain/job.ts';
import { seedance2Fast } from '../../../catalog/seedance-2.ts';
import { sampleJob } from '../../../../test/support/job-fixtures.ts';
import { promptOnlyRequest } from '../../../../test/support/text-request.ts';
import {
  jobCost,
  renderCancelOutcome,
  renderResult,
  renderRunComfyError,
  renderStatus,
  renderSubmitted,
  runComfyStatus,
} from './runcomfy-translate.ts';

const base = 'http://reelgate.test';
const job: Job = sampleJob({ request: promptOnlyRequest(), input: { prompt: 'p' } });

describe('RunComfy translations', () => {
  it('maps every internal status to a word RunComfy clients accept', () => {
    expect(runComfyStatus('queued')).toBe('in_queue');
    expect(runComfyStatus('running')).toBe('in_progress');
    expect(runComfyStatus('succeeded')).toBe('completed');
    expect(runComfyStatus('failed')).toBe('failed');
    expect(runComfyStatus('cancelled')).toBe('cancelled');
    expect(runComfyStatus('expired')).toBe('failed');
  });

  it('submit answers with the id and three URLs on this host', () => {
    expect(renderSubmitted(job, base)).toEqual({
      request_id: job.id,
      status_url: `${base}/v1/requests/${job.id}/status`,
      result_url: `${base}/v1/requests/${job.id}/result`,
      cancel_url: `${base}/v1/requests/${job.id}/cancel`,
    });
  });

  it('status carries queue_position only while queued and progress only while running', () => {
    expect(renderStatus(job, 2, base)).toMatchObject({ status: 'in_queue', queue_position: 2 });
    const running = renderStatus(
      { ...job, status: 'running', progress: 0.456, stage: 'generating' },
      undefined,
      base,
    );
    expect(running).toMatchObject({ status: 'in_progress', progress: 46, stage: 'generating' });
    expect(running).not.toHaveProperty('queue_position');
  });

  it('result of an unfinished request is its status without output', () => {
    const result = renderResult(job, { videoUrl: undefined, includeCost: false, spec: seedance2Fast });
    expect(result).toEqual({
      request_id: job.id,
      status: 'in_queue',
      model_id: job.model,
      created_at: '2026-11-21T10:00:00.000Z',
    });
  });

  it('result of a completed request has output.video, timestamps and (when asked) cost', () => {
    const done: Job = {
      ...job,
      status: 'succeeded',
      finishedAt: job.createdAt + 4000,
      result: { artifacts: [], metadata: { engine: 'animatic' } },
    };
    expect(
      renderResult(done, { videoUrl: 'http://x/v.mp4', includeCost: true, spec: seedance2Fast }),
    ).toEqual({
      request_id: job.id,
      status: 'completed',
      model_id: job.model,
      created_at: '2026-11-21T10:00:00.000Z',
      finished_at: '2026-11-21T10:00:04.000Z',
      output: { video: 'http://x/v.mp4' },
      metadata: { engine: 'animatic' },
      cost: 1.2095,
    });
    expect(jobCost({ ...done, status: 'failed' }, seedance2Fast)).toBe(0);
  });

  it('result of a failed request carries error {type, message}', () => {
    const failed: Job = {
      ...job,
      status: 'failed',
      error: { code: 'engine_failed', message: 'ffmpeg died', retryable: false },
    };
    expect(renderResult(failed, { videoUrl: undefined, includeCost: false, spec: undefined })).toMatchObject({
      status: 'failed',
      error: { type: 'engine_failed', message: 'ffmpeg died' },
    });
  });

  it('errors use the six-digit envelope; validation lists detail by location', () => {
    const rendered = renderRunComfyError(
      AppError.validation([{ field: 'images[3]', rule: 'type', message: 'images[3] must be a string' }]),
    );
    expect(rendered).toEqual({
      status: 422,
      body: {
        error_code: 422001,
        error_message: 'ValidationError: images[3] must be a string',
        detail: [{ loc: ['body', 'images', 3], msg: 'images[3] must be a string', type: 'type' }],
      },
    });
    expect(renderRunComfyError(new AppError('not_found', 'request x not found')).body).toMatchObject({
      error_code: 404001,
      error_message: 'ResourceNotFound: request x not found',
    });
  });

  it('cancel answers with outcome: cancelled when queued, not_cancellable with the reason otherwise', () => {
    expect(renderCancelOutcome({ ...job, status: 'cancelled' }, true)).toEqual({
      request_id: job.id,
      status: 'cancelled',
      outcome: 'cancelled',
    });
    expect(renderCancelOutcome({ ...job, status: 'running' }, false)).toEqual({
      request_id: job.id,
      status: 'in_progress',
      outcome: 'not_cancellable',
      message: `request ${job.id} is in progress; only queued requests can be cancelled`,
    });
  });
});
