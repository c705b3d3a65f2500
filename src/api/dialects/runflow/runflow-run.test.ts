import { describe, expect, it } from 'vitest';
import { seedance10ProFast } from '../../../catalog/seedance-1-0-pro-fast.ts';
import { seedance2Fast } from '../../../catalog/seedance-2.ts';
import type { Artifact, Job } from '../../../domain/job.ts';
import { sampleJob, videoArtifact } from '../../../../test/support/job-fixtures.ts';
import { promptOnlyRequest } from '../../../../test/support/text-request.ts';
import { modelUuid, pythonIso, renderRun, runCost, storedRunflowBody } from './runflow-run.ts';

const created = Date.UTC(2026, 4, 6, 10, 0, 0);
const video: Artifact = videoArtifact();

const runflowJob: Job = sampleJob({
  ownerKeyId: 'key-1',
  dialect: 'runflow',
  callbackUrl: 'https://your-server.com/webhook',
  request: promptOnlyRequest({ seed: 4304 }),
  input: storedRunflowBody('bytedance/seedance/2.0/fast/text-to-video', {
    input: { prompt: 'p' },
    callback_url: 'https://your-server.com/webhook',
    metadata: { job: '42' },
    client_ref: 'my-id',
  }),
  checkpoint: null,
  createdAt: created,
});

const succeeded: Job = {
  ...runflowJob,
  status: 'succeeded',
  startedAt: created + 250,
  finishedAt: created + 1_450,
  result: {
    artifacts: [video],
    metadata: { engine: 'animatic', timing: { generate_ms: 900, total_ms: 1_150 } },
  },
};

describe('renderRun', () => {
  it("renders a queued run with the reference's full field list", () => {
    const run = renderRun(runflowJob, { spec: seedance2Fast });
    expect(run).toEqual({
      id: runflowJob.id,
      flow_id: null,
      model_id: modelUuid('bytedance/seedance-v2/fast'),
      comfyui_workflow_id: null,
      target_type: 'model',
      target_version: 'bytedance/seedance-v2/fast',
      org_id: 'key-1',
      status_code: 'queued',
      source_code: 'api',
      input: { prompt: 'p' },
      output: null,
      context: {},
      duration_ms: null,
      cost: null,
      cost_breakdown: {},
      nodes_total: 1,
      nodes_completed: 0,
      resolved_template_id: null,
      batch_id: null,
      client_ref: 'my-id',
      jurisdiction_code: null,
      flow_version_id: null,
      request_id: runflowJob.id,
      created_by: 'key-1',
      created_at: '2026-05-06T10:00:00.000+00:00',
      started_at: null,
      completed_at: null,
      callback_url: 'https://your-server.com/webhook',
      metadata: { job: '42' },
      has_logs: false,
      has_node_runs: false,
      links: {},
      failure_code: null,
      failure_message: null,
      failure_stage_code: null,
      node_runs: [],
      model: 'bytedance/seedance/2.0/fast/text-to-video',
      error: null,
      finished_at: null,
    });
  });

  it('renders a succeeded run with outputs, real timing and a string cost', () => {
    const run = renderRun(succeeded, { spec: seedance2Fast, videoUrl: 'https://files/v.mp4' });
    expect(run).toMatchObject({
      status_code: 'succeeded',
      nodes_completed: 1,
      duration_ms: 1_200,
      cost: '1.2095',
      started_at: '2026-05-06T10:00:00.250+00:00',
      completed_at: '2026-05-06T10:00:01.450+00:00',
      finished_at: '2026-05-06T10:00:01.450+00:00',
      output: {
        outputs: [
          {
            url: 'https://files/v.mp4',
            type: 'video',
            width: 1280,
            height: 720,
            duration: 5,
            content_type: 'video/mp4',
          },
        ],
        seed: 4304,
        timing: { queue_ms: 250, inference_ms: 900, total_ms: 1_200 },
        nsfw_detected: null,
      },
    });
  });

  it("carries the safety check's verdict on the output as nsfw_detected: true, false, or null when not checked", () => {
    const withSafety = (safety: unknown): Job => ({
      ...succeeded,
      result: { artifacts: [video], metadata: { safety } },
    });
    const verdict = (job: Job) =>
      renderRun(job, { spec: seedance2Fast, videoUrl: 'v' }).output?.nsfw_detected;
    expect(verdict(withSafety({ nsfw_detected: true, output: { stage: 'output' } }))).toBe(true);
    expect(verdict(withSafety({ nsfw_detected: false }))).toBe(false);
    expect(verdict(withSafety({ nsfw_detected: null, policy: { mode: 'off' } }))).toBeNull();
    expect(verdict(withSafety('garbled'))).toBeNull();
  });

  it('lists the last frame as an image output after the video', () => {
    const frame: Artifact = {
      ...video,
      kind: 'image',
      role: 'last_frame',
      contentType: 'image/png',
      durationSeconds: 0,
    };
    const withFrame: Job = { ...succeeded, result: { artifacts: [video, frame], metadata: {} } };
    const run = renderRun(withFrame, { spec: seedance2Fast, videoUrl: 'v', lastFrameUrl: 'f' });
    expect(run.output?.outputs.map((output) => output['type'])).toEqual(['video', 'image']);
    expect(run.output?.timing).toEqual({ queue_ms: 250, total_ms: 1_200 });
  });

  it('renders failures, deadline misses and cancels', () => {
    const failed = renderRun(
      {
        ...runflowJob,
        status: 'failed',
        startedAt: created + 10,
        finishedAt: created + 20,
        error: { code: 'engine_failed', message: 'ffmpeg exited with 1', retryable: false },
      },
      { spec: seedance2Fast },
    );
    expect(failed).toMatchObject({
      status_code: 'failed',
      cost: '0',
      output: null,
      failure_code: 'ENGINE_FAILED',
      failure_message: 'ffmpeg exited with 1',
      failure_stage_code: 'execution',
      error: { code: 'ENGINE_FAILED', message: 'ffmpeg exited with 1' },
    });
    const expired = renderRun(
      { ...runflowJob, status: 'expired', finishedAt: created + 5 },
      { spec: seedance2Fast },
    );
    expect(expired).toMatchObject({
      status_code: 'failed',
      failure_code: 'TIMEOUT',
      failure_stage_code: 'dispatch',
      duration_ms: null,
    });
    const cancelled = renderRun(
      { ...runflowJob, status: 'cancelled', finishedAt: created + 5 },
      { spec: seedance2Fast },
    );
    expect(cancelled).toMatchObject({ status_code: 'canceled', cost: '0', output: null, error: null });
  });

  it("renders another dialect's job as the Runflow input that asks for the same", () => {
    const fromRunComfy: Job = {
      ...runflowJob,
      dialect: 'runcomfy',
      model: seedance10ProFast.id,
      callbackUrl: null,
      input: { text: 'p' },
      request: {
        ...runflowJob.request,
        model: seedance10ProFast.id,
        aspectRatio: '4:3',
        resolution: '480p',
        generateAudio: false,
      },
    };
    expect(renderRun(fromRunComfy, { spec: seedance10ProFast })).toMatchObject({
      model: 'bytedance/seedance/1.0/pro/fast/text-to-video',
      input: {
        prompt: 'p',
        aspect_ratio: '4:3',
        duration: '5',
        resolution: '480p',
        generate_audio: false,
        seed: 4304,
      },
      metadata: null,
      client_ref: null,
      callback_url: null,
    });
  });
});

describe('helpers', () => {
  it('formats times like Python isoformat and costs as USD strings', () => {
    expect(pythonIso(created)).toBe('2026-05-06T10:00:00.000+00:00');
    expect(runCost(succeeded, seedance2Fast)).toBe('1.2095');
    expect(runCost(runflowJob, seedance2Fast)).toBeNull();
    expect(runCost(succeeded, undefined)).toBe('0');
  });

  it('gives every model a stable UUID', () => {
    expect(modelUuid('bytedance/seedance-v2/fast')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(modelUuid('bytedance/seedance-v2/fast')).toBe(modelUuid('bytedance/seedance-v2/fast'));
    expect(modelUuid('bytedance/seedance-v2/fast')).not.toBe(modelUuid('bytedance/seedance-2.0/pro'));
  });
});
