import { describe, expect, it } from 'vitest';
import { AppError } from '../../../domain/app-error.ts';
import type { Job, JobStatus } from '../../../domain/job.ts';
import {
  deleteAction,
  parseListQuery,
  parseModelArkBody,
  renderModelArkError,
} from './modelark-translate.ts';

const known = (id: string) =>
  id === 'dreamina-seedance-2-0-260128' ? 'bytedance/seedance-2.0/pro' : undefined;

describe('ModelArk create body', () => {
  it('splits the model from the Seedance fields', () => {
    const parsed = parseModelArkBody({
      model: 'seedance-1-0-pro-fast-251015',
      content: [{ type: 'text', text: 'A kitten yawns. --rs 720p --dur 5' }],
      ratio: '16:9',
      frames: 121,
      camera_fixed: false,
      return_last_frame: true,
      execution_expires_after: 172800,
      safety_identifier: 'user-1',
    });
    expect(parsed.issues).toEqual([]);
    expect(parsed.model).toBe('seedance-1-0-pro-fast-251015');
    expect(parsed.draft.fields).toMatchObject({ ratio: '16:9', frames: 121, return_last_frame: true });
  });

  it('reports a missing model and content, unknown fields and bad values all at once', () => {
    const parsed = parseModelArkBody({
      durration: 5,
      seed: 'x',
      execution_expires_after: 60,
      service_tier: 'fast',
    });
    expect(parsed.model).toBeUndefined();
    expect(parsed.issues.map((issue) => [issue.field, issue.rule])).toEqual([
      ['durration', 'unknown_field'],
      ['model', 'required'],
      ['seed', 'type'],
      ['execution_expires_after', 'minimum'],
      ['service_tier', 'enum'],
      ['content', 'required'],
    ]);
  });

  it('a body that is not an object is a validation error', () => {
    expect(() => parseModelArkBody([1])).toThrow(AppError);
  });
});

describe('ModelArk list query', () => {
  it('defaults to page 1 of 10', () => {
    expect(parseListQuery({}, known)).toEqual({ pageNum: 1, pageSize: 10 });
  });

  it('reads filters: status words, task ids repeated or comma-separated, any model alias', () => {
    expect(
      parseListQuery(
        {
          page_num: '2',
          page_size: '500',
          'filter.status': 'failed',
          'filter.task_ids': ['a,b', 'c'],
          'filter.model': 'dreamina-seedance-2-0-260128',
        },
        known,
      ),
    ).toEqual({
      pageNum: 2,
      pageSize: 500,
      statuses: ['failed', 'expired'],
      ids: ['a', 'b', 'c'],
      models: ['bytedance/seedance-2.0/pro'],
    });
  });

  it('refuses out-of-range paging, unknown statuses and unknown models, naming each', () => {
    try {
      parseListQuery(
        { page_size: '501', page_num: '0', 'filter.status': 'done', 'filter.model': 'nope' },
        known,
      );
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).issues.map((issue) => issue.field)).toEqual([
        'page_num',
        'page_size',
        'filter.status',
        'filter.model',
      ]);
    }
  });
});

describe('ModelArk DELETE rule', () => {
  it('cancels queued, deletes finished, refuses running and cancelled', () => {
    const action = (status: JobStatus) => deleteAction({ status } as Job);
    expect(action('queued')).toBe('cancel');
    expect(['succeeded', 'failed', 'expired'].map((status) => action(status as JobStatus))).toEqual([
      'delete',
      'delete',
      'delete',
    ]);
    expect(action('running')).toBe('refuse');
    expect(action('cancelled')).toBe('refuse');
  });
});

describe('the ModelArk error envelope', () => {
  it('MissingParameter when only required fields are missing, else InvalidParameter, with param', () => {
    const missing = renderModelArkError(
      AppError.validation([{ field: 'model', rule: 'required', message: 'model is required' }]),
    );
    expect(missing).toEqual({
      status: 400,
      body: {
        error: { code: 'MissingParameter', message: 'model is required', param: 'model', type: 'BadRequest' },
      },
    });
    const invalid = renderModelArkError(
      AppError.validation([
        { field: 'content[2].role', rule: 'enum', message: 'content[2].role must be …' },
        { field: 'model', rule: 'required', message: 'model is required' },
      ]),
    );
    expect(invalid.body['error']).toMatchObject({ code: 'InvalidParameter', param: 'content[2].role' });
    expect(String((invalid.body['error'] as Record<string, unknown>)['message'])).toMatch(
      /content\[2\]\.role.*model is required/,
    );
  });

  it('maps auth, not found, unknown model, conflicts and media to Ark codes', () => {
    const code = (error: AppError) => {
      const rendered = renderModelArkError(error);
      return [rendered.status, (rendered.body['error'] as Record<string, unknown>)['code']];
    };
    expect(code(new AppError('unauthorized', 'x'))).toEqual([401, 'AuthenticationError']);
    expect(code(new AppError('not_found', 'x'))).toEqual([404, 'ResourceNotFound']);
    expect(code(new AppError('unknown_model', 'x', { field: 'model' }))).toEqual([
      404,
      'InvalidEndpointOrModel.NotFound',
    ]);
    expect(code(new AppError('idempotency_conflict', 'x'))).toEqual([409, 'IdempotencyConflict']);
    expect(code(new AppError('not_deletable', 'x'))).toEqual([409, 'OperationDenied.InvalidState']);
    const media = AppError.validation([
      { field: 'content[1].video_url.url', rule: 'scheme', message: 'content[1].video_url.url: bad scheme' },
    ]);
    expect(renderModelArkError(media)).toEqual({
      status: 400,
      body: {
        error: {
          code: 'InvalidParameter',
          message: 'content[1].video_url.url: bad scheme',
          param: 'content[1].video_url.url',
          type: 'BadRequest',
        },
      },
    });
    expect(code(new AppError('internal_error', 'x'))).toEqual([500, 'InternalServiceError']);
  });
});
