/**
 * Where the S3-compatible service is and how to talk to it. Kept apart from the S3 store so that
 * the configuration can name it without loading the AWS SDK.
 */
export interface S3ConnectionOptions {
  /** e.g. `http://127.0.0.1:9000` for MinIO; absent for AWS itself. */
  readonly endpoint?: string;
  readonly region: string;
  /** Absent: the SDK's default chain (its environment variables, shared files, instance roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (MinIO, s3rver, Ceph). */
  readonly forcePathStyle: boolean;
  /** Most sockets open to the service at once. */
  readonly maxSockets: number;
}

/** The longest a SigV4 presigned URL may live (7 days). */
export const maxPresignedUrlSeconds = 7 * 24 * 60 * 60;
