import { describe, expect, it } from 'vitest';
import { parseNeutralCreate, rolesGivenIn } from '../src/api/neutral-job-request.ts';
import { defaultCatalog } from '../src/catalog/model-catalog.ts';
import type { CreateJobParams, JobView } from '../src/client/index.ts';
import { BadRequestError } from '../src/client/index.ts';
import { rerunFailureMessage, rerunRequest } from '../web/src/rerun-request.ts';

/** The web UI's re-run: the job view in, the `POST /v1/jobs` request out. */
const catalog = defaultCatalog();

function jobView(fields: Partial<JobView>): JobView {
  return {
    id: 'job-1',
    object: 'job',
    model: 'bytedance/seedance-v2/fast',
    dialect: 'reelgate',
    status: 'succeeded',
    progress: 1,
    stage: null,
    attempt: 1,
    outputs: [],
    metadata: null,
    error: null,
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    ...fields,
  };
}

/** The body the SDK sends for these parameters (see JobsResource.create). */
function bodyOf(params: CreateJobParams): Record<string, unknown> {
  return {
    model: params.model,
    input: params.input,
    ...(params.roles === undefined ? {} : { roles: params.roles }),
    ...(params.returnLastFrame === undefined ? {} : { return_last_frame: params.returnLastFrame }),
  };
}

describe('web UI re-run request', () => {
  it('keeps the media, their roles, the last-frame flag and the seed the job ran with', () => {
    const input = { prompt: 'Dusk to night', images: ['asset://first', 'asset://last'], seed: 7 };
    const job = jobView({
      input,
      roles: { 'images[0]': 'first_frame', 'images[1]': 'last_frame' },
      return_last_frame: true,
      metadata: { seed: 99 },
    });
    expect(rerunRequest(job)).toEqual({
      model: 'bytedance/seedance-v2/fast',
      input: { prompt: 'Dusk to night', images: ['asset://first', 'asset://last'], seed: 99 },
      roles: { 'images[0]': 'first_frame', 'images[1]': 'last_frame' },
      returnLastFrame: true,
    });
    // The job's own input is left as it was.
    expect(input.seed).toBe(7);
  });

  it('sends no roles when none were given, and nothing a server older than the fields did not report', () => {
    const withoutRoles = rerunRequest(
      jobView({ input: { prompt: 'x', seed: 3 }, roles: {}, return_last_frame: false }),
    );
    expect(withoutRoles).toEqual({
      model: 'bytedance/seedance-v2/fast',
      input: { prompt: 'x', seed: 3 },
      returnLastFrame: false,
    });
    const olderServer = rerunRequest(jobView({ input: { prompt: 'x' }, metadata: { seed: 12 } }));
    expect(olderServer).toEqual({ model: 'bytedance/seedance-v2/fast', input: { prompt: 'x', seed: 12 } });
  });

  it('re-creates exactly the request the server accepted the first time', () => {
    const original = parseNeutralCreate(
      {
        model: 'seedance-fast',
        input: {
          prompt: 'A door opens',
          images: ['asset://a', 'asset://b'],
          duration: 4,
          resolution: '480p',
        },
        roles: { 'images[0]': 'first_frame', 'images[1]': 'last_frame' },
        return_last_frame: true,
      },
      catalog,
      () => 4242,
    );
    // What GET /v1/jobs/{id} shows of that job (see renderJob).
    const job = jobView({
      model: original.model.spec.id,
      input: original.input,
      roles: rolesGivenIn(original.request),
      return_last_frame: original.request.returnLastFrame,
    });
    const again = parseNeutralCreate(bodyOf(rerunRequest(job)), catalog, () => 1);
    expect(again.request).toEqual(original.request);
    expect(again.request).toMatchObject({ mode: 'first-last-frame', seed: 4242, returnLastFrame: true });
  });

  it('explains a refused re-run of a job whose dialect keeps its input in its own field names', () => {
    const unknownFields = new BadRequestError('input.seconds is not a field of this model', {
      status: 400,
      issues: [
        { field: 'input.model', rule: 'unknown_field', message: 'input.model is not a field' },
        { field: 'input.seconds', rule: 'unknown_field', message: 'input.seconds is not a field' },
      ],
    });
    expect(rerunFailureMessage(jobView({ dialect: 'openai' }), unknownFields)).toMatch(
      /^This job was made through the openai API, whose input the re-run cannot reuse; submit it again through that API\. \(input\.seconds/,
    );
    // Any other refusal is shown as the server worded it: here a deleted asset.
    const deletedAsset = new BadRequestError('input.images[0]: asset://a does not exist', {
      status: 400,
      issues: [{ field: 'input.images[0]', rule: 'not_found', message: 'asset://a does not exist' }],
    });
    expect(rerunFailureMessage(jobView({ dialect: 'openai' }), deletedAsset)).toBe(deletedAsset.message);
    expect(rerunFailureMessage(jobView({ dialect: 'reelgate' }), unknownFields)).toBe(unknownFields.message);
    expect(rerunFailureMessage(jobView({}), new Error('offline'))).toBe('offline');
  });
});
