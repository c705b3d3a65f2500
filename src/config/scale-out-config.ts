import { isSafeBlobKey } from '../storage/blob-store.ts';
import { maxPresignedUrlSeconds } from '../storage/s3-connection.ts';
import type { S3ConnectionOptions } from '../storage/s3-connection.ts';
import type { DatabaseConfig, StorageConfig } from './config-types.ts';
import type { EnvironmentValues } from './environment-schema.ts';
import { ConfigError } from './config-error.ts';

/**
 * The scale-out block: DATABASE_URL selects PostgreSQL, STORAGE_URL=s3://bucket/prefix selects S3.
 * Checks what no single variable's rule can: credentials come as a pair, the prefix is made of
 * safe key segments, and output URLs can live no longer than a presigned URL may (7 days).
 */
export function scaleOutConfig(values: EnvironmentValues): {
  database: DatabaseConfig;
  storage: StorageConfig;
} {
  const database: DatabaseConfig =
    values.DATABASE_URL === undefined
      ? { kind: 'sqlite' }
      : { kind: 'postgres', url: values.DATABASE_URL, poolSize: values.REELGATE_DATABASE_POOL_SIZE };
  if (values.STORAGE_URL === undefined) return { database, storage: { kind: 'local' } };

  const [bucket = '', ...prefixParts] = values.STORAGE_URL.slice('s3://'.length).split('/');
  const prefix = prefixParts.join('/').replace(/^\/+|\/+$/g, '');
  const problems: string[] = [];
  if (prefix !== '' && !isSafeBlobKey(prefix)) {
    problems.push(
      'STORAGE_URL prefix must be slash-separated segments of letters, digits, ".", "_" and "-" that do not start with a dot',
    );
  }
  const accessKeyId = values.REELGATE_S3_ACCESS_KEY_ID;
  const secretAccessKey = values.REELGATE_S3_SECRET_ACCESS_KEY;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    problems.push('REELGATE_S3_ACCESS_KEY_ID and REELGATE_S3_SECRET_ACCESS_KEY must be set together');
  }
  if (values.REELGATE_URL_TTL_SECONDS > maxPresignedUrlSeconds) {
    problems.push(
      `REELGATE_URL_TTL_SECONDS must be at most ${maxPresignedUrlSeconds} (7 days) with S3 storage, the longest a presigned URL may live`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  const connection: S3ConnectionOptions = {
    region: values.REELGATE_S3_REGION ?? 'us-east-1',
    forcePathStyle: values.REELGATE_S3_FORCE_PATH_STYLE,
    maxSockets: values.REELGATE_S3_MAX_SOCKETS,
    ...(values.REELGATE_S3_ENDPOINT === undefined ? {} : { endpoint: values.REELGATE_S3_ENDPOINT }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: { accessKeyId, secretAccessKey } }),
  };
  return { database, storage: { kind: 's3', bucket, prefix, connection } };
}
