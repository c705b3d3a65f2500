import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedStream } from '../../test/support/generated-stream.ts';
import { s3TestCredentials, startS3TestServer } from '../../test/support/s3-test-server.ts';
import type { S3TestServer } from '../../test/support/s3-test-server.ts';
import { describeBlobStoreContract } from './contract/blob-store-contract.ts';
import { createS3Client, S3BlobStore } from './s3-blob-store.ts';

let server: S3TestServer;
let prefixCount = 0;

beforeAll(async () => {
  server = await startS3TestServer();
});
afterAll(async () => {
  await server.stop();
});

function client() {
  return createS3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: s3TestCredentials,
    forcePathStyle: true,
    maxSockets: 16,
  });
}

/** A store under a prefix of its own, so tests never see each other's objects. */
function freshStore(): { store: S3BlobStore; prefix: string; s3: ReturnType<typeof client> } {
  prefixCount += 1;
  const s3 = client();
  const prefix = `tenant/run-${prefixCount}`;
  return { store: new S3BlobStore({ client: s3, bucket: server.bucket, prefix }), prefix, s3 };
}

describeBlobStoreContract('s3 (s3rver)', async () => {
  const { store, s3 } = freshStore();
  return { store, close: async () => s3.destroy() };
});

describe('S3BlobStore', () => {
  it('keeps every object under its prefix', async () => {
    const { store, prefix, s3 } = freshStore();
    await store.put('outputs/job_1/video.mp4', { stream: Readable.from([Buffer.from('mp4')]) }, 'video/mp4');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `${prefix}/` }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([`${prefix}/outputs/job_1/video.mp4`]);
    const url = new URL(await store.url('outputs/job_1/video.mp4', 3600));
    expect(url.pathname).toBe(`/${server.bucket}/${prefix}/outputs/job_1/video.mp4`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    await expect(store.url('outputs/job_1/video.mp4', 8 * 24 * 3600)).rejects.toThrow(
      /presigned URL lifetime/,
    );
    s3.destroy();
  });

  it('uploads a large stream in parts and reads it back intact, in bounded memory', async () => {
    const { store, s3 } = freshStore();
    const commands: string[] = [];
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    const chunkSize = 64 * 1024;
    const chunkCount = 384; // 24 MiB: five 5 MiB parts
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const { stream, digest } = generatedStream(chunkCount, chunkSize, (produced) => {
      if (produced % 16 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    });
    const info = await store.put('big/blob.bin', { stream }, 'application/octet-stream');
    expect(info.size).toBe(chunkSize * chunkCount);
    expect(commands.filter((command) => command === 'UploadPartCommand')).toHaveLength(5);
    expect(commands).toContain('CompleteMultipartUploadCommand');
    const read = await store.get('big/blob.bin');
    const readBack = createHash('sha256');
    for await (const chunk of read!.stream) readBack.update(chunk as Buffer);
    expect(readBack.digest('hex')).toBe(digest());
    // Four parts in flight at most, not the whole 24 MiB (and not a copy per part).
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
    s3.destroy();
  });
});
