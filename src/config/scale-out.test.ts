import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('loadConfig: scale-out', () => {
  it('uses the embedded SQLite file and local disk by default', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'sqlite' });
    expect(config.storage).toEqual({ kind: 'local' });
  });

  it('selects PostgreSQL with DATABASE_URL, with a pool size', () => {
    const url = 'postgres://reelgate:secret@db.internal:5432/reelgate?sslmode=require';
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ kind: 'postgres', url, poolSize: 10 });
    expect(
      loadConfig({ DATABASE_URL: 'postgresql://db/reelgate', REELGATE_DATABASE_POOL_SIZE: '40' }).database,
    ).toEqual({ kind: 'postgres', url: 'postgresql://db/reelgate', poolSize: 40 });
  });

  it('selects S3 with STORAGE_URL, reading endpoint, region, credentials, path style and sockets', () => {
    const config = loadConfig({
      STORAGE_URL: 's3://media-bucket/reelgate/prod/',
      REELGATE_S3_ENDPOINT: 'http://minio.internal:9000',
      REELGATE_S3_REGION: 'eu-west-1',
      REELGATE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      REELGATE_S3_SECRET_ACCESS_KEY: 'example-secret',
      REELGATE_S3_FORCE_PATH_STYLE: 'true',
      REELGATE_S3_MAX_SOCKETS: '20',
    });
    expect(config.storage).toEqual({
      kind: 's3',
      bucket: 'media-bucket',
      prefix: 'reelgate/prod',
      connection: {
        endpoint: 'http://minio.internal:9000',
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example-secret' },
        forcePathStyle: true,
        maxSockets: 20,
      },
    });
    // Without credentials the SDK's default chain (instance roles, shared files) is used.
    expect(loadConfig({ STORAGE_URL: 's3://media-bucket' }).storage).toEqual({
      kind: 's3',
      bucket: 'media-bucket',
      prefix: '',
      connection: { region: 'us-east-1', forcePathStyle: false, maxSockets: 50 },
    });
  });

  it.each([
    [{ DATABASE_URL: 'mysql://db/reelgate' }, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [{ STORAGE_URL: 'gs://bucket' }, /STORAGE_URL must be s3:\/\/bucket or s3:\/\/bucket\/prefix/],
    [{ STORAGE_URL: 's3://Bad_Bucket' }, /STORAGE_URL must be s3:\/\/bucket/],
    [{ STORAGE_URL: 's3://bucket/../etc' }, /STORAGE_URL prefix must be slash-separated segments/],
    [{ STORAGE_URL: 's3://bucket', REELGATE_S3_ACCESS_KEY_ID: 'AKIA' }, /must be set together/],
    [
      { STORAGE_URL: 's3://bucket', REELGATE_URL_TTL_SECONDS: '1209600' },
      /at most 604800 \(7 days\) with S3/,
    ],
    [{ REELGATE_S3_ENDPOINT: 'minio:9000' }, /REELGATE_S3_ENDPOINT must be an absolute http\(s\) URL/],
    [{ REELGATE_DATABASE_POOL_SIZE: '0' }, /REELGATE_DATABASE_POOL_SIZE must be an integer from 1 to 500/],
  ])('refuses %j with one line naming the rule', (environment, message) => {
    const attempt = () => loadConfig(environment);
    expect(attempt).toThrowError(ConfigError);
    expect(attempt).toThrowError(message);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
  });

  it('allows two-week URLs on local disk, where the API signs them itself', () => {
    expect(loadConfig({ REELGATE_URL_TTL_SECONDS: '1209600' }).urlTtlSeconds).toBe(1_209_600);
  });
});
