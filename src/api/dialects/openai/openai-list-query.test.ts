import { describe, expect, it } from 'vitest';
import { AppError } from '../../../domain/app-error.ts';
import { parseContentVariant, parseListQuery } from './openai-list-query.ts';

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.issues.map((issue) => `${issue.field}: ${issue.message}`);
  }
  throw new Error('expected a validation error');
}

describe('list and content queries', () => {
  it('defaults to 20 newest first, and passes the cursor on', () => {
    expect(parseListQuery({})).toEqual({ after: undefined, limit: 20, order: 'desc' });
    expect(parseListQuery(undefined)).toEqual({ after: undefined, limit: 20, order: 'desc' });
    expect(parseListQuery({ after: 'abc', limit: '100', order: 'asc' })).toEqual({
      after: 'abc',
      limit: 100,
      order: 'asc',
    });
  });

  it('names every bad parameter', () => {
    expect(issuesOf(() => parseListQuery({ limit: '0', order: 'up', after: ['a', 'b'] }))).toEqual([
      'after: after must be a single video id',
      'limit: limit must be a whole number from 1 to 100',
      'order: order must be one of asc, desc',
    ]);
    expect(issuesOf(() => parseListQuery({ limit: '101' }))).toEqual([
      'limit: limit must be a whole number from 1 to 100',
    ]);
    expect(issuesOf(() => parseListQuery({ limit: '-1' }))).toEqual([
      'limit: limit must be a whole number from 1 to 100',
    ]);
  });

  it('reads the content variant, the MP4 by default', () => {
    expect(parseContentVariant({})).toBe('video');
    expect(parseContentVariant({ variant: 'spritesheet' })).toBe('spritesheet');
    expect(issuesOf(() => parseContentVariant({ variant: 'poster' }))).toEqual([
      'variant: variant must be one of video, thumbnail, spritesheet',
    ]);
  });
});
