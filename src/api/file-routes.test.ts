import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { LocalBlobStore } from '../storage/local-blob-store.ts';
import { UrlSigner } from '../storage/url-signer.ts';
import { parseRangeHeader, registerFileRoutes } from './file-routes.ts';
import { generatedStream } from '../../test/support/generated-stream.ts';

const start = 1_700_000_000_000;
const signer = new UrlSigner('file-routes-test-secret-value');
const videoKey = 'outputs/job_1/video.mp4';
const otherKey = 'outputs/job_2/other.mp4';
const secretOutsideRoot = 'top secret, outside the blob root';
const video = Buffer.from(Array.from({ length: 1000 }, (_, index) => (index * 13 + 5) % 256));

let clock = start;
let folder: string;
let app: FastifyInstance;
let store: LocalBlobStore;
let origin: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-file-routes-'));
  await writeFile(path.join(folder, 'secret.txt'), secretOutsideRoot);
  store = new LocalBlobStore({
    root: path.join(folder, 'blobs'),
    publicUrl: () => origin,
    signer,
    now: () => clock,
  });
  await store.put(videoKey, { stream: Readable.from([video]) }, 'video/mp4');
  await store.put(otherKey, { stream: Readable.from([Buffer.from('other')]) }, 'video/mp4');

  app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send({ code: error.code, message: error.message });
    }
    const status =
      error instanceof Error && 'statusCode' in error && typeof error.statusCode === 'number'
        ? error.statusCode
        : 500;
    return reply.status(status).send({ code: 'internal_error', message: String(error) });
  });
  await registerFileRoutes(app, { blobStore: store, signer, now: () => clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // The abandoned-download test can leave its socket half-closed for a while; do not wait for it.
  app.server.closeAllConnections();
  await app.close();
  await rm(folder, { recursive: true, force: true });
});

beforeEach(() => {
  clock = start;
});

interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends the path exactly as written: fetch() would normalise `..` and `%2e%2e` away first. */
function rawRequest(requestPath: string, method = 'GET'): Promise<RawResponse> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: requestPath, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

async function errorCode(response: Response): Promise<{ code: string; message: string }> {
  return (await response.json()) as { code: string; message: string };
}

describe('GET /v1/files/*', () => {
  it('serves the whole file with download headers', async () => {
    const response = await fetch(await store.url(videoKey, 3600));
    expect(response.status).toBe(200);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-z-]+"$/);
    expect(response.headers.get('content-disposition')).toBe('inline; filename="video.mp4"');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(video);
  });

  it('counts max-age down to the expiry', async () => {
    const url = await store.url(videoKey, 3600);
    clock = start + 3_000_000;
    const response = await fetch(url);
    expect(response.headers.get('cache-control')).toBe('private, max-age=600');
    await response.arrayBuffer();
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-', 100, 999],
    ['bytes=-50', 950, 999],
    ['bytes=990-5000', 990, 999],
    ['bytes=-5000', 0, 999],
  ])('serves %s as 206', async (range, first, last) => {
    const response = await fetch(await store.url(videoKey, 3600), { headers: { range } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${first}-${last}/1000`);
    expect(response.headers.get('content-length')).toBe(String(last - first + 1));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(video.subarray(first, last + 1));
  });

  it.each(['bytes=1000-', 'bytes=5000-6000', 'bytes=-0'])('answers %s with 416', async (range) => {
    const response = await fetch(await store.url(videoKey, 3600), { headers: { range } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
    expect((await errorCode(response)).code).toBe('range_not_satisfiable');
  });

  it.each(['bytes=0-1,5-6', 'bytes=5-2', 'items=0-5', 'bytes=abc', 'bytes=-'])(
    'ignores the malformed or multiple range %s and serves the whole file',
    async (range) => {
      const response = await fetch(await store.url(videoKey, 3600), { headers: { range } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-range')).toBeNull();
      expect(Buffer.from(await response.arrayBuffer())).toEqual(video);
    },
  );

  it('honours If-Range only for the current version', async () => {
    const url = await store.url(videoKey, 3600);
    const etag = (await fetch(url, { method: 'HEAD' })).headers.get('etag') ?? '';
    const same = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': etag } });
    expect(same.status).toBe(206);
    await same.arrayBuffer();
    const stale = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"stale"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(1000);
  });

  it('answers a matching If-None-Match with 304', async () => {
    const url = await store.url(videoKey, 3600);
    const etag = (await fetch(url, { method: 'HEAD' })).headers.get('etag') ?? '';
    const response = await fetch(url, { headers: { 'if-none-match': `"other", ${etag}` } });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe(etag);
  });
});

describe('HEAD /v1/files/*', () => {
  it('returns the headers without a body', async () => {
    const url = await store.url(videoKey, 3600);
    const response = await rawRequest(url.slice(origin.length), 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe('1000');
    expect(response.headers['content-type']).toBe('video/mp4');
    expect(response.headers['accept-ranges']).toBe('bytes');
    expect(response.body.length).toBe(0);
  });

  it('is refused without a valid signature', async () => {
    const response = await fetch(`${origin}/v1/files/${videoKey}`, { method: 'HEAD' });
    expect(response.status).toBe(403);
  });
});

describe('signed URL checks', () => {
  it('refuses an expired URL and says so', async () => {
    const url = await store.url(videoKey, 60);
    clock = start + 61_000;
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const body = await errorCode(response);
    expect(body.code).toBe('invalid_signature');
    expect(body.message).toMatch(/expired at 2023-11-14T22:14:20\.000Z/);
  });

  it('refuses a tampered signature as invalid', async () => {
    const url = new URL(await store.url(videoKey, 3600));
    const signature = url.searchParams.get('signature') ?? '';
    url.searchParams.set('signature', (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1));
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const body = await errorCode(response);
    expect(body.code).toBe('invalid_signature');
    expect(body.message).toMatch(/invalid signature/);
  });

  it('refuses a tampered expiry', async () => {
    const url = new URL(await store.url(videoKey, 3600));
    url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 86_400));
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect((await errorCode(response)).message).toMatch(/invalid signature/);
  });

  it.each([
    ['no query', ''],
    ['no signature', '?expires=1700003600'],
    ['no expiry', '?signature=abc'],
    ['a non-numeric expiry', '?expires=soon&signature=abc'],
    ['repeated parameters', '?expires=1700003600&expires=1700003601&signature=abc'],
  ])('refuses a URL with %s', async (_label, query) => {
    const response = await fetch(`${origin}/v1/files/${videoKey}${query}`);
    expect(response.status).toBe(403);
    const body = await errorCode(response);
    expect(body.code).toBe('invalid_signature');
    expect(body.message).toMatch(/not a valid signed URL/);
  });

  it('names the missing parameter', async () => {
    const response = await fetch(`${origin}/v1/files/${videoKey}?expires=1700003600`);
    expect((await errorCode(response)).message).toMatch(/signature is missing/);
  });

  it('refuses the signature of key A on the path of key B', async () => {
    const url = new URL(await store.url(videoKey, 3600));
    url.pathname = `/v1/files/${otherKey}`;
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect((await errorCode(response)).code).toBe('invalid_signature');
  });

  it('answers 404 for a validly signed key that holds nothing', async () => {
    const response = await fetch(await store.url('outputs/job_9/missing.mp4', 3600));
    expect(response.status).toBe(404);
    expect((await errorCode(response)).code).toBe('not_found');
  });

  it('answers 410, not 403, for an expired URL whose file was deleted', async () => {
    await store.put('outputs/job_8/video.mp4', { stream: Readable.from([Buffer.from('x')]) }, 'video/mp4');
    const url = await store.url('outputs/job_8/video.mp4', 60);
    await store.delete('outputs/job_8/video.mp4');
    clock = start + 61_000;
    const response = await fetch(url);
    expect(response.status).toBe(410);
    const body = await errorCode(response);
    expect(body.code).toBe('output_expired');
    expect(body.message).toMatch(/expired and been deleted/);
  });
});

describe('path traversal', () => {
  const expires = Math.floor(start / 1000) + 3600;
  const attempts = [
    '/v1/files/..%2F..%2Fetc%2Fpasswd',
    '/v1/files/%2e%2e/%2e%2e/etc/passwd',
    '/v1/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/v1/files/../../etc/passwd',
    '/v1/files/..%2Fsecret.txt',
    '/v1/files/%2E%2E/secret.txt',
    '/v1/files/outputs/..%2F..%2Fsecret.txt',
    '/v1/files/%2Fetc%2Fpasswd',
    '/v1/files//etc/passwd',
  ];

  it.each(attempts)('refuses %s without a signature', async (attempt) => {
    const response = await rawRequest(attempt);
    expect(response.status).toBe(403);
    expect(response.body.toString()).not.toContain('root:');
    expect(response.body.toString()).not.toContain(secretOutsideRoot);
  });

  it.each(attempts)('refuses %s even when the key itself was signed', async (attempt) => {
    // Simulates a signer bug or leaked secret: the store's key rule must still hold the line.
    const decodedKey = decodeURIComponent(attempt.slice('/v1/files/'.length));
    const signature = signer.sign(decodedKey, expires);
    const response = await rawRequest(`${attempt}?expires=${expires}&signature=${signature}`);
    expect(response.status).toBe(404);
    expect(response.body.toString()).not.toContain('root:');
    expect(response.body.toString()).not.toContain(secretOutsideRoot);
  });
});

describe('parseRangeHeader', () => {
  it('reads the single-range forms and rejects the rest', () => {
    expect(parseRangeHeader(undefined, 10)).toEqual({ kind: 'whole' });
    expect(parseRangeHeader('bytes=2-4', 10)).toEqual({ kind: 'partial', range: { start: 2, end: 4 } });
    expect(parseRangeHeader(' BYTES=2- ', 10)).toEqual({ kind: 'partial', range: { start: 2, end: 9 } });
    expect(parseRangeHeader('bytes=-3', 10)).toEqual({ kind: 'partial', range: { start: 7, end: 9 } });
    expect(parseRangeHeader('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=99999999999999999999-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=0-99999999999999999999', 10)).toEqual({
      kind: 'partial',
      range: { start: 0, end: 9 },
    });
    expect(parseRangeHeader('bytes=1-2, 4-5', 10)).toEqual({ kind: 'whole' });
    expect(parseRangeHeader('bytes=+1-2', 10)).toEqual({ kind: 'whole' });
  });
});

describe('large downloads', () => {
  it('streams a 100 MB file over HTTP with flat memory', async () => {
    const chunkSize = 64 * 1024;
    const chunkCount = 1600;
    const { stream: source, digest } = generatedStream(chunkCount, chunkSize);
    await store.put('big/download.bin', { stream: source }, 'application/octet-stream');

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const response = await fetch(await store.url('big/download.bin', 3600));
    expect(response.headers.get('content-length')).toBe(String(chunkSize * chunkCount));
    const received = createHash('sha256');
    let chunks = 0;
    for await (const chunk of response.body!) {
      received.update(chunk);
      chunks += 1;
      if (chunks % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(received.digest('hex')).toBe(digest());
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
  });

  it('closes the file when a client abandons a download', async () => {
    const openFiles = async () => (await readdir('/proc/self/fd')).length;
    const before = await openFiles();
    const controller = new AbortController();
    const response = await fetch(await store.url('big/download.bin', 3600), { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    await expect.poll(openFiles, { timeout: 5000, interval: 50 }).toBeLessThanOrEqual(before);
  });
});
