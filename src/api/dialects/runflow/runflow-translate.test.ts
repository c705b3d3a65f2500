import { describe, expect, it } from 'vitest';
import { seedance10ProFast } from '../../../catalog/seedance-1-0-pro-fast.ts';
import { seedance2Fast, seedance2Pro } from '../../../catalog/seedance-2.ts';
import { AppError } from '../../../domain/app-error.ts';
import { renderRunflowError, unknownRunflowModel } from './runflow-error.ts';
import type { RunflowMode } from './runflow-schema.ts';
import { parseCancelBody, parseCreateBody, runflowMode } from './runflow-schema.ts';
import { parseListQuery, runflowStatus, toRunflowGenerationRequest } from './runflow-translate.ts';

/** The issues a thrown validation error lists, as `field rule` pairs. */
function issuesOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error.issues.map((issue) => `${issue.field} ${issue.rule}`);
    throw error;
  }
  throw new Error('expected a validation error');
}

const barista =
  'A barista pours steaming latte art into a ceramic cup, close-up of milk swirling into a perfect rosetta pattern, espresso machine hissing, soft morning light through window';

describe('runflowMode', () => {
  it('reads the mode from the last path segment', () => {
    expect(runflowMode('bytedance/seedance/2.0/fast/text-to-video')).toBe('text-to-video');
    expect(runflowMode('bytedance/seedance/2.0/image-to-video')).toBe('image-to-video');
    expect(runflowMode('bytedance/seedance/2.0/fast/reference-to-video')).toBe('reference-to-video');
  });
});

describe('parseCreateBody', () => {
  it("accepts the seed's example body unchanged and keeps the input as sent", () => {
    const body = { input: { prompt: barista }, callback_url: 'https://your-server.com/webhook' };
    expect(parseCreateBody(body, 'text-to-video')).toEqual(body);
  });

  it('accepts every documented field, metadata and client_ref', () => {
    const body = {
      input: {
        prompt: 'p',
        aspect_ratio: 'auto',
        duration: 'auto',
        resolution: '480p',
        generate_audio: false,
        seed: 42,
        end_user_id: 'user-1',
      },
      callback_url: null,
      metadata: { job: '42' },
      client_ref: 'my-id',
    };
    expect(parseCreateBody(body, 'text-to-video')).toEqual(body);
  });

  it('reports every bad field at once, input fields as input.<name>', () => {
    const issues = issuesOf(() =>
      parseCreateBody(
        {
          input: { duration: 5, resolution: '1080p', aspect_ratio: 'adaptive', durration: '5' },
          callback_url: 'ftp://example.com/hook',
          metadata: 'x',
          client_ref: 'r'.repeat(256),
          webhook: 'https://example.com',
        },
        'text-to-video',
      ),
    );
    expect(issues.sort()).toEqual(
      [
        'callback_url format',
        'client_ref max_length',
        'input.aspect_ratio enum',
        'input.duration type',
        'input.durration unknown_field',
        'input.prompt required',
        'input.resolution enum',
        'metadata type',
        'webhook unknown_field',
      ].sort(),
    );
  });

  it('requires an input object', () => {
    expect(issuesOf(() => parseCreateBody({}, 'text-to-video'))).toEqual(['input required']);
    expect(issuesOf(() => parseCreateBody({ input: 'p' }, 'text-to-video'))).toEqual(['input type']);
    expect(issuesOf(() => parseCreateBody([], 'text-to-video'))).toEqual(['body type']);
  });

  it('image-to-video needs image_url; reference-to-video needs an image or video besides audio', () => {
    expect(issuesOf(() => parseCreateBody({ input: { prompt: 'p' } }, 'image-to-video'))).toEqual([
      'input.image_url required',
    ]);
    expect(
      issuesOf(() =>
        parseCreateBody({ input: { prompt: 'p', audio_urls: ['https://a/b.mp3'] } }, 'reference-to-video'),
      ),
    ).toEqual(['input.image_urls audio_only']);
    expect(
      issuesOf(() =>
        parseCreateBody(
          { input: { prompt: 'p', image_urls: Array(10).fill('https://a/b.png') } },
          'reference-to-video',
        ),
      ),
    ).toEqual(['input.image_urls max_items']);
  });
});

describe('parseCancelBody', () => {
  it('takes no body, null or a 3–500 character reason', () => {
    expect(parseCancelBody(undefined)).toEqual({ reason: null });
    expect(parseCancelBody({})).toEqual({ reason: null });
    expect(parseCancelBody({ reason: null })).toEqual({ reason: null });
    expect(parseCancelBody({ reason: 'no longer needed' })).toEqual({ reason: 'no longer needed' });
    expect(issuesOf(() => parseCancelBody({ reason: 'no' }))).toEqual(['reason min_length']);
    expect(issuesOf(() => parseCancelBody({ reason: 'x'.repeat(501) }))).toEqual(['reason max_length']);
    expect(issuesOf(() => parseCancelBody({ why: 'because' }))).toEqual(['why unknown_field']);
  });
});

describe('toRunflowGenerationRequest', () => {
  const translate = (
    spec = seedance2Fast,
    input: Record<string, unknown> = { prompt: 'p' },
    mode: RunflowMode = 'text-to-video',
  ) => toRunflowGenerationRequest(spec, mode, input, () => 7);

  it("fills omitted fields with the catalog model's defaults", () => {
    expect(translate()).toMatchObject({
      model: 'bytedance/seedance-v2/fast',
      prompt: 'p',
      resolution: '720p',
      aspectRatio: 'adaptive',
      durationSeconds: 5,
      generateAudio: true,
      seed: 7,
      images: [],
    });
    expect(translate(seedance10ProFast)).toMatchObject({
      model: 'bytedance/seedance-1-0/pro/fast/text-to-video',
      resolution: '480p',
      aspectRatio: '16:9',
      durationSeconds: 5,
      generateAudio: false,
    });
  });

  it('maps auto, string durations and explicit values', () => {
    expect(translate(seedance2Pro, { prompt: 'p', aspect_ratio: 'auto', duration: 'auto' })).toMatchObject({
      aspectRatio: 'adaptive',
      durationSeconds: seedance2Pro.capabilities.autoDuration,
    });
    expect(
      translate(seedance2Fast, {
        prompt: 'p',
        aspect_ratio: '9:16',
        duration: '12',
        resolution: '480p',
        generate_audio: false,
        seed: 3,
      }),
    ).toMatchObject({
      aspectRatio: '9:16',
      durationSeconds: 12,
      resolution: '480p',
      generateAudio: false,
      seed: 3,
    });
  });

  it("refuses what Seedance 1.0 Pro Fast cannot do, in Runflow's field names and words", () => {
    const issues = issuesOf(() =>
      translate(seedance10ProFast, {
        prompt: 'p',
        aspect_ratio: 'auto',
        duration: '13',
        generate_audio: true,
      }),
    );
    expect(issues).toEqual([
      'input.aspect_ratio enum',
      'input.duration range',
      'input.generate_audio unsupported',
    ]);
    try {
      translate(seedance10ProFast, { prompt: 'p', aspect_ratio: 'auto' });
    } catch (error) {
      expect((error as AppError).message).toContain('got "auto"');
      expect((error as AppError).message).not.toContain('adaptive');
    }
  });

  it('turns media fields into media references with Seedance roles, each named by its Runflow field', () => {
    expect(
      translate(
        seedance2Fast,
        { prompt: 'p', image_url: 'https://a/1.png', end_image_url: 'https://a/2.png' },
        'image-to-video',
      ),
    ).toMatchObject({
      images: [
        { source: 'https://a/1.png', field: 'input.image_url', role: 'first_frame' },
        { source: 'https://a/2.png', field: 'input.end_image_url', role: 'last_frame' },
      ],
    });
    expect(
      translate(
        seedance2Fast,
        {
          prompt: 'p',
          image_urls: ['https://a/1.png', 'https://a/2.png'],
          video_urls: ['https://a/v.mp4'],
          audio_urls: ['https://a/a.mp3'],
        },
        'reference-to-video',
      ),
    ).toMatchObject({
      images: [
        { source: 'https://a/1.png', field: 'input.image_urls[0]', role: 'reference_image' },
        { source: 'https://a/2.png', field: 'input.image_urls[1]', role: 'reference_image' },
      ],
      videos: [{ source: 'https://a/v.mp4', field: 'input.video_urls[0]', role: 'reference_video' }],
      audios: [{ source: 'https://a/a.mp3', field: 'input.audio_urls[0]', role: 'reference_audio' }],
    });
  });
});

describe('statuses and list queries', () => {
  it('maps internal states to status_code words', () => {
    expect(runflowStatus('queued')).toBe('queued');
    expect(runflowStatus('running')).toBe('running');
    expect(runflowStatus('succeeded')).toBe('succeeded');
    expect(runflowStatus('failed')).toBe('failed');
    expect(runflowStatus('expired')).toBe('failed');
    expect(runflowStatus('cancelled')).toBe('canceled');
  });

  it('parses limit, cursor and status filters', () => {
    expect(parseListQuery({})).toEqual({ limit: 20, cursor: undefined, statuses: undefined });
    expect(parseListQuery({ limit: '5', cursor: 'abc-1', status: 'failed,canceled' })).toEqual({
      limit: 5,
      cursor: 'abc-1',
      statuses: ['failed', 'expired', 'cancelled'],
    });
    expect(parseListQuery({ status: ['queued', 'cancelled'] }).statuses).toEqual(['queued', 'cancelled']);
    expect(parseListQuery({ status: 'dispatching' }).statuses).toEqual([]);
    expect(parseListQuery({ status: '' }).statuses).toBeUndefined();
    expect(issuesOf(() => parseListQuery({ limit: '0', cursor: 'a b', status: 'done' }))).toEqual([
      'limit range',
      'cursor format',
      'status enum',
    ]);
    expect(issuesOf(() => parseListQuery({ limit: '101' }))).toEqual(['limit range']);
    expect(issuesOf(() => parseListQuery({ limit: '2.5' }))).toEqual(['limit range']);
  });
});

describe('renderRunflowError', () => {
  it('renders the top-level envelope with Runflow codes', () => {
    expect(renderRunflowError(new AppError('not_found', 'run x not found'))).toEqual({
      status: 404,
      body: { code: 'RUN_NOT_FOUND', message: 'run x not found', errors: null },
    });
    expect(renderRunflowError(new AppError('unknown_model', 'm')).body).toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
    expect(renderRunflowError(new AppError('unauthorized', 'k'))).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED' },
    });
    expect(renderRunflowError(new AppError('idempotency_conflict', 'c'))).toMatchObject({
      status: 409,
      body: { code: 'CONFLICT' },
    });
    expect(renderRunflowError(new AppError('invalid_json', 'j', { status: 400 })).body).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(renderRunflowError(new AppError('payload_too_large', 'big')).status).toBe(413);
    expect(renderRunflowError(new AppError('internal_error', 'boom')).body).toMatchObject({
      code: 'INTERNAL_ERROR',
    });
  });

  it('answers an unknown Runflow model path with MODEL_NOT_FOUND naming the ids there are', () => {
    const rendered = renderRunflowError(
      unknownRunflowModel('acme/video/runs-model', ['bytedance/seedance/2.0/text-to-video']),
    );
    expect(rendered.status).toBe(404);
    expect(rendered.body).toMatchObject({ code: 'MODEL_NOT_FOUND', errors: null });
    expect(String(rendered.body['message'])).toContain('bytedance/seedance/2.0/text-to-video');
  });

  it('lists field issues on a 422, with a FastAPI-style detail mirror', () => {
    const rendered = renderRunflowError(
      AppError.validation([
        { field: 'input.duration', rule: 'type', message: 'input.duration must be a string' },
      ]),
    );
    expect(rendered).toEqual({
      status: 422,
      body: {
        code: 'VALIDATION_ERROR',
        message: 'input.duration must be a string',
        errors: [{ field: 'input.duration', rule: 'type', message: 'input.duration must be a string' }],
        detail: [
          { loc: ['body', 'input', 'duration'], msg: 'input.duration must be a string', type: 'type' },
        ],
      },
    });
  });
});
