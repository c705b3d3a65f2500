import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../catalog/model-catalog.ts';
import { AppError } from '../domain/app-error.ts';
import { parseNeutralCreate, parseNeutralListQuery, rolesGivenIn } from './neutral-job-request.ts';

const catalog = defaultCatalog();
const drawSeed = () => 1234;

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.issues.map((issue) => `${issue.field}:${issue.rule}`);
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('parseNeutralCreate', () => {
  it('validates the input against the model schema (aliases work) and stores the drawn seed', () => {
    const create = parseNeutralCreate(
      { model: 'seedance-fast', input: { prompt: 'A kite', duration: 4 } },
      catalog,
      drawSeed,
    );
    expect(create.model.spec.id).toBe('bytedance/seedance-v2/fast');
    expect(create.input).toMatchObject({
      prompt: 'A kite',
      duration: 4,
      aspect_ratio: 'adaptive',
      seed: 1234,
    });
    expect(create.request).toMatchObject({ mode: 'text-to-video', seed: 1234, returnLastFrame: false });
    expect(create.callbackUrl).toBeNull();
  });

  it('reports every broken rule at once, input fields as input.…', () => {
    expect(
      issuesOf(() =>
        parseNeutralCreate(
          {
            model: 'bytedance/seedance-v2/fast',
            input: { prompt: 'x', duration: 99, colour: 'red' },
            callback_url: 'ftp://example.com',
            return_last_frame: 'yes',
            extra: 1,
          },
          catalog,
          drawSeed,
        ),
      ),
    ).toEqual(
      expect.arrayContaining([
        'extra:unknown_field',
        'callback_url:format',
        'return_last_frame:type',
        'input.duration:maximum',
        'input.colour:unknown_field',
      ]),
    );
    expect(issuesOf(() => parseNeutralCreate({ input: {} }, catalog, drawSeed))).toEqual(['model:required']);
    expect(issuesOf(() => parseNeutralCreate([], catalog, drawSeed))).toEqual(['body:type']);
    expect(() => parseNeutralCreate({ model: 'nope', input: {} }, catalog, drawSeed)).toThrow(
      /not available here/,
    );
  });

  it('applies roles to media inputs and re-derives the mode; bad roles name the key', () => {
    const create = parseNeutralCreate(
      {
        model: 'bytedance/seedance-v2/fast',
        input: { prompt: 'Day to night', images: ['https://example.com/a.png', 'https://example.com/b.png'] },
        roles: { 'images[0]': 'first_frame', 'images[1]': 'last_frame' },
        return_last_frame: true,
      },
      catalog,
      drawSeed,
    );
    expect(create.request.mode).toBe('first-last-frame');
    expect(create.request.images.map((image) => [image.role, image.field, image.roleField])).toEqual([
      ['first_frame', 'input.images[0]', 'roles.images[0]'],
      ['last_frame', 'input.images[1]', 'roles.images[1]'],
    ]);
    expect(create.request.returnLastFrame).toBe(true);

    const input = { prompt: 'x', images: ['https://example.com/a.png'] };
    expect(
      issuesOf(() =>
        parseNeutralCreate(
          {
            model: 'bytedance/seedance-v2/fast',
            input,
            roles: {
              'images[0]': 'reference_video',
              'images[3]': 'first_frame',
              'videos[0]': 'reference_video',
            },
          },
          catalog,
          drawSeed,
        ),
      ),
    ).toEqual(['roles.images[0]:enum', 'roles.images[3]:unknown_field', 'roles.videos[0]:unknown_field']);
  });

  it('gives back the roles it was given (not the implied ones), so the job view can re-create the body', () => {
    const media = {
      prompt: 'Into the storm',
      images: ['asset://a', 'asset://b', 'asset://c'],
      videos: ['asset://v'],
    };
    const roles = { 'images[1]': 'reference_image', 'videos[0]': 'reference_video' };
    const create = parseNeutralCreate(
      { model: 'bytedance/seedance-v2/fast', input: media, roles },
      catalog,
      drawSeed,
    );
    // images[0] and images[2] got a role from the server's rule; only the given ones come back.
    expect(create.request.images.every((image) => image.role === 'reference_image')).toBe(true);
    expect(rolesGivenIn(create.request)).toEqual(roles);

    const frames = { 'images[0]': 'first_frame', 'images[1]': 'last_frame' };
    const twoFrames = parseNeutralCreate(
      {
        model: 'bytedance/seedance-v2/fast',
        input: { prompt: 'x', images: ['asset://a', 'asset://b'] },
        roles: frames,
      },
      catalog,
      drawSeed,
    );
    expect(rolesGivenIn(twoFrames.request)).toEqual(frames);
    const again = parseNeutralCreate(
      { model: 'bytedance/seedance-v2/fast', input: twoFrames.input, roles: rolesGivenIn(twoFrames.request) },
      catalog,
      () => 1,
    );
    expect(again.request).toEqual(twoFrames.request);

    const unroled = parseNeutralCreate(
      { model: 'bytedance/seedance-v2/fast', input: { prompt: 'x', images: ['asset://a'] } },
      catalog,
      drawSeed,
    );
    expect(rolesGivenIn(unroled.request)).toEqual({});
    // Other dialects name roles inside their own input; those are not `roles` of POST /v1/jobs.
    const contentRole = {
      source: 'asset://a',
      field: 'content[1]',
      role: 'first_frame',
      roleField: 'content[1].role',
    };
    expect(rolesGivenIn({ ...unroled.request, images: [contentRole] })).toEqual({});
  });
});

describe('parseNeutralListQuery', () => {
  it('reads comma-separated statuses, model, limit and cursor, and refuses bad values by name', () => {
    expect(
      parseNeutralListQuery({ status: 'queued,running', model: 'seedance-fast', limit: '5', after: 'abc' }),
    ).toEqual({
      statuses: ['queued', 'running'],
      model: 'seedance-fast',
      limit: 5,
      after: 'abc',
    });
    expect(parseNeutralListQuery({})).toMatchObject({ statuses: undefined, limit: 20 });
    expect(issuesOf(() => parseNeutralListQuery({ status: 'done', limit: '500', page: '2' }))).toEqual([
      'status:enum',
      'limit:maximum',
      'page:unknown_field',
    ]);
  });
});
