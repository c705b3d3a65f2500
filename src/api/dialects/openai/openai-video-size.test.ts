import { describe, expect, it } from 'vitest';
import { seedance10ProFast } from '../../../catalog/seedance-1-0-pro-fast.ts';
import { seedance2Fast, seedance2Pro } from '../../../catalog/seedance-2.ts';
import { sampleJob, videoArtifact } from '../../../../test/support/job-fixtures.ts';
import { promptOnlyRequest } from '../../../../test/support/text-request.ts';
import { acceptedVideoSizes, resolveVideoSize, videoSizeOf } from './openai-video-size.ts';

describe('OpenAI size ↔ resolution and ratio', () => {
  it("accepts OpenAI's own sizes, mapping the Sora Pro ones to the sharpest size the model has", () => {
    expect(resolveVideoSize(seedance2Fast, '720x1280')).toEqual({ resolution: '720p', aspectRatio: '9:16' });
    expect(resolveVideoSize(seedance2Fast, '1280x720')).toEqual({ resolution: '720p', aspectRatio: '16:9' });
    expect(resolveVideoSize(seedance2Fast, '1024x1792')).toEqual({
      resolution: '1080p',
      aspectRatio: '9:16',
    });
    expect(resolveVideoSize(seedance2Fast, '1792x1024')).toEqual({
      resolution: '1080p',
      aspectRatio: '16:9',
    });
    expect(resolveVideoSize(seedance2Pro, '1792x1024')).toEqual({ resolution: '720p', aspectRatio: '16:9' });
  });

  it('accepts every exact table size of the resolutions the model has, and nothing else', () => {
    expect(resolveVideoSize(seedance2Fast, '992x432')).toEqual({ resolution: '480p', aspectRatio: '21:9' });
    expect(resolveVideoSize(seedance2Fast, '1440x1440')).toEqual({ resolution: '1080p', aspectRatio: '1:1' });
    expect(resolveVideoSize(seedance10ProFast, '864x496')).toEqual({
      resolution: '480p',
      aspectRatio: '16:9',
    });
    const refused = resolveVideoSize(seedance2Pro, '1920x1088');
    expect(refused).toMatchObject({ field: 'size', rule: 'enum' });
    expect('message' in refused && refused.message).toContain('for Seedance 2.0 Pro, got "1920x1088"');
    expect(resolveVideoSize(seedance2Fast, '1920x1080')).toMatchObject({ field: 'size' });
  });

  it('lists the accepted sizes by resolution, then the Sora Pro sizes', () => {
    const sizes = acceptedVideoSizes(seedance2Pro);
    expect(sizes).toHaveLength(6 * 2 + 2);
    expect(sizes.slice(0, 2)).toEqual(['864x496', '752x560']);
    expect(sizes.slice(-2)).toEqual(['1024x1792', '1792x1024']);
    expect(sizes).not.toContain('1920x1088');
    expect(acceptedVideoSizes(seedance2Fast)).toContain('1920x1088');
  });

  it("reports a job's size: the produced video's once it exists, else what its request will produce", () => {
    const request = promptOnlyRequest({ model: seedance2Fast.id });
    const queued = sampleJob({ request });
    expect(videoSizeOf(queued)).toBe('1280x720');
    const portrait = sampleJob({ request: { ...request, aspectRatio: '9:16' } });
    expect(videoSizeOf(portrait)).toBe('720x1280');
    const video = videoArtifact({ bytes: 1, width: 834, height: 1112 });
    const done = sampleJob({ request, result: { artifacts: [video], metadata: {} } });
    expect(videoSizeOf(done)).toBe('834x1112');
  });
});
