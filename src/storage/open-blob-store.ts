import path from 'node:path';
import type { Config } from '../config.ts';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import type { UrlSigner } from './url-signer.ts';

export interface OpenBlobStoreOptions {
  /** Base of the API's own URLs (local blobs are downloaded through `/v1/files`). */
  readonly publicUrl: () => string;
  /** Signs local download URLs; S3 presigns its own. */
  readonly signer: UrlSigner;
}

/**
 * The configured BlobStore: an S3 bucket when STORAGE_URL is set (the AWS SDK loaded only then),
 * else `<data folder>/blobs`. Either way artifacts get their download URLs from `url()`: HMAC-signed
 * `/v1/files/…` URLs served by this API, or presigned URLs served by the storage service itself.
 */
export async function openBlobStore(config: Config, options: OpenBlobStoreOptions): Promise<BlobStore> {
  const storage = config.storage;
  if (storage.kind === 's3') {
    const { createS3Client, S3BlobStore } = await import('./s3-blob-store.ts');
    return new S3BlobStore({
      client: createS3Client(storage.connection),
      bucket: storage.bucket,
      prefix: storage.prefix,
    });
  }
  return new LocalBlobStore({
    root: path.join(config.dataDir, 'blobs'),
    publicUrl: options.publicUrl,
    signer: options.signer,
  });
}
