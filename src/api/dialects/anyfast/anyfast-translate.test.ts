import { describe, expect, it } from 'vitest';
import { AppError } from '../../../domain/app-error.ts';
import type { Job } from '../../../domain/job.ts';
import { sampleCreatedAt, sampleJob } from '../../../../test/support/job-fixtures.ts';
import {
  anyFastProgress,
  anyFastStatus,
  renderAnyFastError,
  renderCreated,
  renderTask,
} from './anyfast-translate.ts';
import type { ArkTask } from '../seedance-content/ark-task-object.ts';

const created = sampleCreatedAt;
const job = (overrides: Partial<Job> = {}): Job =>
  sampleJob({ id: 'job-1', dialect: 'anyfast', ...overrides });
const arkTask = { id: 'job-1', status: 'queued' } as unknown as ArkTask;

describe('AnyFast translations', () => {
  it('the create reply is new-api OpenAIVideo with the id twice and Unix seconds', () => {
    expect(renderCreated(job(), 'seedance-fast')).toEqual({
      id: 'job-1',
      task_id: 'job-1',
      object: 'video',
      model: 'seedance-fast',
      status: 'queued',
      progress: 0,
      created_at: created / 1000,
    });
  });

  it('status and progress follow new-api: QUEUED 10%, IN_PROGRESS 50–99%, then 100%', () => {
    expect(anyFastStatus('queued')).toBe('QUEUED');
    expect(anyFastStatus('running')).toBe('IN_PROGRESS');
    expect(anyFastStatus('succeeded')).toBe('SUCCESS');
    expect(
      ['failed', 'cancelled', 'expired'].map((status) => anyFastStatus(status as Job['status'])),
    ).toEqual(['FAILURE', 'FAILURE', 'FAILURE']);
    expect(anyFastProgress(job())).toBe('10%');
    const running = [0, 0.3, 0.99, 1].map((progress) =>
      anyFastProgress(job({ status: 'running', progress })),
    );
    expect(running).toEqual(['50%', '64%', '98%', '99%']);
    expect(anyFastProgress(job({ status: 'failed' }))).toBe('100%');
  });

  it('success: result_url, and fail_reason repeats it; the Ark task rides in data.data', () => {
    const done = job({ status: 'succeeded', startedAt: created + 1000, finishedAt: created + 4000 });
    expect(renderTask(done, arkTask, 'https://video')).toEqual({
      code: 'success',
      message: '',
      data: {
        task_id: 'job-1',
        action: 'generate',
        status: 'SUCCESS',
        result_url: 'https://video',
        fail_reason: 'https://video',
        submit_time: created / 1000,
        start_time: created / 1000 + 1,
        finish_time: created / 1000 + 4,
        progress: '100%',
        request_id: 'job-1',
        data: arkTask,
      },
    });
  });

  it('failure: no result_url; fail_reason is the message, or "cancelled"', () => {
    const failed = renderTask(
      job({ status: 'failed', error: { code: 'engine_failed', message: 'boom', retryable: false } }),
      arkTask,
      undefined,
    ).data;
    expect(failed).not.toHaveProperty('result_url');
    expect(failed).toMatchObject({ status: 'FAILURE', fail_reason: 'boom', start_time: 0 });
    expect(renderTask(job({ status: 'cancelled' }), arkTask, undefined).data.fail_reason).toBe('cancelled');
    expect(renderTask(job(), arkTask, undefined).data).toMatchObject({ status: 'QUEUED', fail_reason: '' });
  });

  it('errors: OpenAI-style for auth, task_not_exist 400 for unknown tasks, invalid_request 400', () => {
    expect(renderAnyFastError(new AppError('unauthorized', 'missing API key'))).toEqual({
      status: 401,
      body: { error: { message: 'missing API key', type: 'new_api_error', code: 'invalid_api_key' } },
    });
    expect(renderAnyFastError(new AppError('not_found', 'request x not found'))).toEqual({
      status: 400,
      body: { code: 'task_not_exist', message: 'task_not_exist', data: null },
    });
    expect(
      renderAnyFastError(
        AppError.validation([
          { field: 'a', rule: 'type', message: 'a bad' },
          { field: 'b', rule: 'type', message: 'b bad' },
        ]),
      ),
    ).toEqual({ status: 400, body: { code: 'invalid_request', message: 'a bad; b bad', data: null } });
    const mediaIssue = {
      field: 'content[1].image_url.url',
      rule: 'scheme',
      message: 'content[1].image_url.url must be an https:// URL, a data: URI or an asset:// id',
    };
    expect(renderAnyFastError(AppError.validation([mediaIssue]))).toEqual({
      status: 400,
      body: { code: 'invalid_request', message: mediaIssue.message, data: null },
    });
    expect(renderAnyFastError(new AppError('idempotency_conflict', 'x'))).toMatchObject({
      status: 409,
      body: { code: 'idempotency_conflict' },
    });
  });
});
