import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** s3rver's fixed credentials: it checks SigV4 signatures made with them. */
export const s3TestCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** An S3-compatible server in this process, for one test file. */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>` (path-style addressing). */
  readonly endpoint: string;
  readonly bucket: string;
  stop(): Promise<void>;
}

/**
 * Starts s3rver on a free port of 127.0.0.1 with one empty bucket, its files in a temporary
 * folder that `stop()` removes.
 */
export async function startS3TestServer(bucket = 'reelgate-test'): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'reelgate-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    /** Idempotent: a test may stop the server early to see what an outage does. */
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
