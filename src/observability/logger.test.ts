import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from './logger.ts';

describe('scrubSecrets', () => {
  it('removes signed-URL signatures, bearer tokens, keys and webhook secrets, and keeps the rest', () => {
    const local = 'http://x/v1/files/outputs/a/video.mp4?expires=1700000000&signature=abcDEF_123-x';
    expect(scrubSecrets(local)).toBe(
      'http://x/v1/files/outputs/a/video.mp4?expires=1700000000&signature=[REDACTED]',
    );
    const s3 =
      'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef&x=1';
    expect(scrubSecrets(s3)).toBe(
      'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&x=1',
    );
    expect(scrubSecrets('"authorization":"Bearer rg_abcdefghijkl"')).toBe(
      '"authorization":"Bearer [REDACTED]"',
    );
    expect(scrubSecrets('key rg_0123456789abcdef leaked')).toBe('key rg_[REDACTED] leaked');
    expect(scrubSecrets('secret whsec_c2VjcmV0c2VjcmV0')).toBe('secret whsec_[REDACTED]');
    expect(scrubSecrets('job 0190a1b2 succeeded in 3 s')).toBe('job 0190a1b2 succeeded in 3 s');
  });
});

describe('createLogger', () => {
  it('redacts secret fields and scrubs secrets inside any string of a line', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    logger.info(
      { req: { headers: { authorization: 'Bearer abc.def' } }, url: 'https://h/f?signature=zzz' },
      'fetched https://h/g?X-Amz-Signature=yyy',
    );
    logger.child({ jobId: 'job-1' }).error({ err: new Error('bad key rg_0123456789abcdef') }, 'failed');
    const text = lines.join('');
    expect(text).not.toMatch(/abc\.def|zzz|yyy|rg_0123456789abcdef/);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      req: { headers: { authorization: '[REDACTED]' } },
      url: 'https://h/f?signature=[REDACTED]',
    });
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ jobId: 'job-1', msg: 'failed' });
  });
});
