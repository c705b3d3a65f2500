import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: path.resolve('./data'),
      publicUrl: 'http://localhost:8080',
      publicUrlDerived: true,
      bootstrapKey: undefined,
      urlTtlSeconds: 86_400,
      sqliteSynchronous: 'NORMAL',
    });
    expect(config.worker).toEqual({
      enabled: true,
      concurrency: 1,
      leaseMs: 8_000,
      pollMs: 1000,
      maxAttempts: 3,
      shutdownGraceMs: 30_000,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      REELGATE_DATA_DIR: '/tmp/x',
      REELGATE_PUBLIC_URL: 'https://video.example.com/',
      REELGATE_BOOTSTRAP_KEY: 'a-long-enough-secret',
      REELGATE_WORKER_CONCURRENCY: '4',
      REELGATE_WORKER: 'false',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/tmp/x',
      publicUrl: 'https://video.example.com',
      publicUrlDerived: false,
      bootstrapKey: 'a-long-enough-secret',
    });
    expect(config.worker).toMatchObject({ enabled: false, concurrency: 4 });
  });

  it('fails with one line that names each bad variable and its rule', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', REELGATE_PUBLIC_URL: 'ftp://x', REELGATE_WORKER_CONCURRENCY: '0' });
    expect(attempt).toThrowError(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message).toMatch(/PORT must be an integer from 0 to 65535, got "eighty"/);
      expect(message).toMatch(/REELGATE_PUBLIC_URL must be an absolute http\(s\) URL/);
      expect(message).toMatch(/REELGATE_WORKER_CONCURRENCY must be an integer from 1 to 64, got "0"/);
    }
  });

  it('refuses a bootstrap key too short to be a secret', () => {
    expect(() => loadConfig({ REELGATE_BOOTSTRAP_KEY: 'short' })).toThrowError(
      /REELGATE_BOOTSTRAP_KEY must be at least 16 characters/,
    );
  });
});

describe('media-input fetching settings', () => {
  it('parses the allow-list and refuses a malformed entry with one line', () => {
    const config = loadConfig({
      REELGATE_FETCH_ALLOW: '127.0.0.1, 10.0.0.0/8, media.internal',
      REELGATE_ALLOW_HTTP_INPUTS: 'true',
    });
    expect(config.fetch.allowHttp).toBe(true);
    expect(config.fetch.allow.allowsAddress('10.1.2.3')).toBe(true);
    expect(config.fetch.allow.allowsHost('media.internal')).toBe(true);
    expect(config.fetch.allow.allowsAddress('192.168.0.1')).toBe(false);
    expect(() => loadConfig({ REELGATE_FETCH_ALLOW: '10.0.0.0/99' })).toThrowError(
      /^invalid configuration: REELGATE_FETCH_ALLOW: /,
    );
  });
});
