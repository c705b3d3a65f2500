import { describe, expect, it } from 'vitest';
import { AppError } from '../../../domain/app-error.ts';
import type { Artifact, Job } from '../../../domain/job.ts';
import { sampleCreatedAt, sampleJob, videoArtifact } from '../../../../test/support/job-fixtures.ts';
import { textRequest } from '../../../../test/support/text-request.ts';
import { renderOpenAiError } from './openai-error.ts';
import { translateRemixRequest } from './openai-remix-request.ts';
import { openAiStatus, renderDeleted, renderVideo, renderVideoList } from './openai-video-object.ts';

const createdAt = sampleCreatedAt;
const queued: Job = sampleJob({
  dialect: 'openai',
  request: textRequest({
    prompt: 'A calico cat',
    resolution: '720p',
    durationSeconds: 8,
    generateAudio: true,
    seed: 7,
  }),
  input: { prompt: 'A calico cat', model: 'sora-2', seconds: '8', size: '1280x720' },
});
const video: Artifact = videoArtifact({ blobKey: `outputs/${queued.id}/video.mp4`, durationSeconds: 8 });
const finishedAt = createdAt + 12_500;
const succeeded: Job = {
  ...queued,
  status: 'succeeded',
  progress: 1,
  finishedAt,
  result: { artifacts: [video], metadata: { aspect_ratio: '16:9' } },
};

describe('jobs as OpenAI Video objects', () => {
  it('maps every internal status to one of the four OpenAI words', () => {
    expect(openAiStatus('queued')).toBe('queued');
    expect(openAiStatus('running')).toBe('in_progress');
    expect(openAiStatus('succeeded')).toBe('completed');
    for (const status of ['failed', 'cancelled', 'expired'] as const)
      expect(openAiStatus(status)).toBe('failed');
  });

  it('renders a queued video with every key, the nullable ones null', () => {
    expect(renderVideo(queued, 3600)).toEqual({
      id: queued.id,
      object: 'video',
      model: 'sora-2',
      status: 'queued',
      progress: 0,
      created_at: createdAt / 1000,
      completed_at: null,
      expires_at: null,
      prompt: 'A calico cat',
      seconds: '8',
      size: '1280x720',
      remixed_from_video_id: null,
      error: null,
    });
  });

  it('renders progress as a whole percentage, 100 only once completed, and expiry after completion', () => {
    expect(renderVideo({ ...queued, status: 'running', progress: 0.426 }, 60).progress).toBe(43);
    expect(renderVideo({ ...queued, status: 'running', progress: 1 }, 60).progress).toBe(99);
    const done = renderVideo(succeeded, 3600);
    expect(done).toMatchObject({
      status: 'completed',
      progress: 100,
      completed_at: Math.floor(finishedAt / 1000),
    });
    expect(done.expires_at).toBe(Math.floor(finishedAt / 1000) + 3600);
  });

  it('renders failed, cancelled and expired jobs as failed with an error', () => {
    const failed = { ...queued, status: 'failed' as const, finishedAt, progress: 0.5 };
    expect(
      renderVideo({ ...failed, error: { code: 'engine_failed', message: 'boom', retryable: false } }, 60),
    ).toMatchObject({
      status: 'failed',
      error: { code: 'engine_failed', message: 'boom' },
      expires_at: null,
    });
    expect(renderVideo({ ...failed, status: 'cancelled' }, 60).error).toMatchObject({ code: 'cancelled' });
    expect(renderVideo({ ...failed, status: 'expired' }, 60).error).toMatchObject({ code: 'expired' });
    expect(renderVideo(failed, 60).error).toEqual({
      code: 'internal_error',
      message: 'the video generation failed',
    });
  });

  it("names the model as the client did here, and other dialects' jobs by catalog id", () => {
    expect(renderVideo({ ...queued, input: { ...queued.input, model: 'seedance-fast' } }, 60).model).toBe(
      'seedance-fast',
    );
    const runComfy = { ...queued, dialect: 'runcomfy', input: { prompt: 'p', remixed_from_video_id: 'x' } };
    expect(renderVideo(runComfy, 60)).toMatchObject({
      model: 'bytedance/seedance-v2/fast',
      remixed_from_video_id: null,
    });
  });

  it('renders lists with first and last ids (null when empty) and deletions', () => {
    expect(renderVideoList([], false, 60)).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
    const other = { ...queued, id: 'second' };
    expect(renderVideoList([queued, other], true, 60)).toMatchObject({
      first_id: queued.id,
      last_id: 'second',
      has_more: true,
    });
    expect(renderDeleted(succeeded)).toEqual({ id: queued.id, object: 'video.deleted', deleted: true });
  });
});

describe('remix', () => {
  it("reuses the source's request and seed with the new prompt, and records the source", () => {
    const remix = translateRemixRequest(succeeded, { prompt: 'At night' });
    expect(remix.request).toEqual({ ...succeeded.request, prompt: 'At night' });
    expect(remix.input).toEqual({
      prompt: 'At night',
      model: 'sora-2',
      seconds: '8',
      size: '1280x720',
      remixed_from_video_id: queued.id,
    });
  });

  it('refuses a source that is not completed with a 400 saying so', () => {
    for (const [source, words] of [
      [queued, 'not finished yet'],
      [{ ...queued, status: 'failed' as const }, 'failed'],
    ] as const) {
      const error = (() => {
        try {
          translateRemixRequest(source, { prompt: 'x' });
        } catch (caught) {
          return caught as AppError;
        }
        throw new Error('expected a refusal');
      })();
      expect(error.status).toBe(400);
      expect(error.message).toContain(words);
      expect(error.message).toContain('only completed videos can be remixed');
    }
  });
});

describe("OpenAI's error envelope", () => {
  it('renders validation as a 400 invalid_request_error with the first field as param', () => {
    const error = AppError.validation([
      { field: 'prompt', rule: 'required', message: 'prompt is required' },
      { field: 'size', rule: 'enum', message: 'size must be one of …' },
    ]);
    expect(renderOpenAiError(error)).toEqual({
      status: 400,
      body: {
        error: {
          message: 'prompt is required; size must be one of …',
          type: 'invalid_request_error',
          param: 'prompt',
          code: 'missing_required_parameter',
        },
      },
    });
  });

  it('renders a refused input_reference as a 400 with param input_reference', () => {
    const message = 'input_reference: plain http:// URLs are not accepted here; use https://';
    const error = AppError.validation([{ field: 'input_reference', rule: 'scheme', message }]);
    expect(renderOpenAiError(error)).toEqual({
      status: 400,
      body: {
        error: { message, type: 'invalid_request_error', param: 'input_reference', code: 'invalid_value' },
      },
    });
  });

  it('maps codes and statuses the way OpenAI clients expect', () => {
    const cases: [AppError, number, string, string][] = [
      [new AppError('unauthorized', 'no key'), 401, 'invalid_request_error', 'invalid_api_key'],
      [new AppError('not_found', 'no video'), 404, 'invalid_request_error', 'not_found'],
      [new AppError('unknown_model', 'no model'), 400, 'invalid_request_error', 'model_not_found'],
      [new AppError('not_ready', 'wait'), 409, 'invalid_request_error', 'video_not_ready'],
      [new AppError('idempotency_conflict', 'again'), 409, 'invalid_request_error', 'idempotency_conflict'],
      [new AppError('payload_too_large', 'big'), 413, 'invalid_request_error', 'payload_too_large'],
      [new AppError('internal_error', 'oops'), 500, 'server_error', 'internal_error'],
    ];
    for (const [error, status, type, code] of cases) {
      const rendered = renderOpenAiError(error);
      expect(rendered.status).toBe(status);
      expect(rendered.body.error).toMatchObject({ type, code, param: null, message: error.message });
    }
  });
});
