import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import { UrlSigner } from './url-signer.ts';
import { generatedStream } from '../../test/support/generated-stream.ts';

const signer = new UrlSigner('local-blob-store-test-secret');
let folder: string;
let root: string;
let store: LocalBlobStore;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-blobs-'));
  root = path.join(folder, 'blobs');
  store = new LocalBlobStore({ root, publicUrl: 'http://files.test', signer, now: () => 1_700_000_000_000 });
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function readAll(stream: Readable): Promise<Buffer> {
  return Buffer.concat((await stream.toArray()) as Buffer[]);
}

function sample(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, index) => (index * 7 + 3) % 256));
}

describe('LocalBlobStore put and get', () => {
  it('copies a file, so the caller may delete its own copy', async () => {
    const source = path.join(folder, 'work', 'video.mp4');
    await mkdir(path.dirname(source), { recursive: true });
    await writeFile(source, sample(1000));
    const info = await store.put('outputs/job_1/video.mp4', { path: source }, 'video/mp4');
    await rm(source);
    expect(info).toMatchObject({ key: 'outputs/job_1/video.mp4', size: 1000, contentType: 'video/mp4' });
    const read = await store.get('outputs/job_1/video.mp4');
    expect(read?.info).toMatchObject({ size: 1000, contentType: 'video/mp4' });
    expect(read?.range).toEqual({ start: 0, end: 999 });
    expect(await readAll(read!.stream)).toEqual(sample(1000));
  });

  it('drains a stream', async () => {
    const bytes = sample(5000);
    const info = await store.put(
      'inputs/a.png',
      { stream: Readable.from([bytes.subarray(0, 1234), bytes.subarray(1234)]) },
      'image/png',
    );
    expect(info.size).toBe(5000);
    expect(await readAll((await store.get('inputs/a.png'))!.stream)).toEqual(bytes);
  });

  it('reads inclusive ranges and clamps an end past the last byte', async () => {
    const bytes = sample(300);
    await store.put('r/bytes.bin', { stream: Readable.from([bytes]) }, 'application/octet-stream');
    const head = await store.get('r/bytes.bin', { start: 0, end: 99 });
    expect(head?.range).toEqual({ start: 0, end: 99 });
    expect(await readAll(head!.stream)).toEqual(bytes.subarray(0, 100));
    const middle = await store.get('r/bytes.bin', { start: 150, end: 150 });
    expect(await readAll(middle!.stream)).toEqual(bytes.subarray(150, 151));
    const tail = await store.get('r/bytes.bin', { start: 250, end: 10_000 });
    expect(tail?.range).toEqual({ start: 250, end: 299 });
    expect(await readAll(tail!.stream)).toEqual(bytes.subarray(250));
  });

  it('refuses ranges that start past the end or are inverted', async () => {
    await store.put('r/small.bin', { stream: Readable.from([sample(10)]) }, 'application/octet-stream');
    for (const range of [
      { start: 10, end: 20 },
      { start: 5, end: 4 },
      { start: -1, end: 3 },
    ]) {
      const failure = await store.get('r/small.bin', range).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AppError);
      expect((failure as AppError).code).toBe('range_not_satisfiable');
    }
  });

  it('stores an empty blob', async () => {
    await store.put('e/empty.txt', { stream: Readable.from([]) }, 'text/plain');
    const read = await store.get('e/empty.txt');
    expect(read?.info.size).toBe(0);
    expect((await readAll(read!.stream)).length).toBe(0);
  });

  it('keeps the content type given at put, and falls back when the sidecar is gone', async () => {
    await store.put('t/clip.webm', { stream: Readable.from([sample(4)]) }, 'video/webm; codecs="vp9"');
    expect((await store.stat('t/clip.webm'))?.contentType).toBe('video/webm; codecs="vp9"');
    await rm(path.join(root, 't', '.clip.webm.meta.json'));
    expect((await store.stat('t/clip.webm'))?.contentType).toBe('application/octet-stream');
  });

  it('refuses a content type that could not be a header value', async () => {
    await expect(
      store.put('t/x.bin', { stream: Readable.from([sample(4)]) }, 'text/plain\r\nSet-Cookie: a=b'),
    ).rejects.toThrow(/invalid content type/);
    await expect(store.put('t/x.bin', { stream: Readable.from([sample(4)]) }, '')).rejects.toThrow(
      /invalid content type/,
    );
  });
});

describe('LocalBlobStore stat, delete and overwrite', () => {
  it('stats a blob and reports missing keys as undefined', async () => {
    await store.put('s/a.bin', { stream: Readable.from([sample(42)]) }, 'application/x-test');
    const info = await store.stat('s/a.bin');
    expect(info).toMatchObject({ key: 's/a.bin', size: 42, contentType: 'application/x-test' });
    expect(info?.etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+-[0-9a-z]+"$/);
    expect(await store.stat('s/missing.bin')).toBeUndefined();
    expect(await store.get('s/missing.bin')).toBeUndefined();
    // A path through a file, and a folder of blobs, are not blobs either.
    expect(await store.stat('s/a.bin/deeper')).toBeUndefined();
    expect(await store.stat('s')).toBeUndefined();
    expect(await store.get('s')).toBeUndefined();
  });

  it('deletes a blob with its sidecar, and deleting again is fine', async () => {
    await store.put('d/gone.bin', { stream: Readable.from([sample(8)]) }, 'application/x-test');
    await store.delete('d/gone.bin');
    expect(await store.stat('d/gone.bin')).toBeUndefined();
    expect(await store.get('d/gone.bin')).toBeUndefined();
    expect(await readdir(path.join(root, 'd'))).toEqual([]);
    await store.delete('d/gone.bin');
    await store.delete('never/was.bin');
  });

  it('overwrites a key with new bytes, type and entity tag', async () => {
    const first = await store.put('o/file', { stream: Readable.from([Buffer.from('first')]) }, 'text/plain');
    const second = await store.put('o/file', { stream: Readable.from([Buffer.from('other')]) }, 'text/csv');
    expect(second.etag).not.toBe(first.etag);
    const read = await store.get('o/file');
    expect(read?.info).toMatchObject({ size: 5, contentType: 'text/csv', etag: second.etag });
    expect((await readAll(read!.stream)).toString()).toBe('other');
  });

  it('serves the old version until the new one is complete (atomic put)', async () => {
    await store.put('atomic/v.bin', { stream: Readable.from([Buffer.from('old')]) }, 'text/plain');
    const incoming = new PassThrough();
    const writing = store.put('atomic/v.bin', { stream: incoming }, 'text/plain');
    incoming.write(Buffer.from('new-but-'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await readAll((await store.get('atomic/v.bin'))!.stream)).toString()).toBe('old');
    incoming.end(Buffer.from('complete'));
    await writing;
    expect((await readAll((await store.get('atomic/v.bin'))!.stream)).toString()).toBe('new-but-complete');
  });

  it('leaves nothing behind when the source stream fails', async () => {
    const failing = new PassThrough();
    const writing = store.put('fail/v.bin', { stream: failing }, 'text/plain');
    failing.write(Buffer.from('partial'));
    setTimeout(() => failing.destroy(new Error('upstream went away')), 20);
    await expect(writing).rejects.toThrow(/upstream went away/);
    expect(await store.stat('fail/v.bin')).toBeUndefined();
    expect(await readdir(path.join(root, 'fail'))).toEqual([]);
  });
});

describe('LocalBlobStore keys', () => {
  const unsafeKeys = [
    '../x',
    '/etc/passwd',
    'a//b',
    'a/../b',
    '%2e%2e',
    '..',
    '.',
    '',
    'a/',
    '.hidden',
    'a\\b',
  ];

  it.each(unsafeKeys)('refuses %j everywhere', async (key) => {
    await expect(store.put(key, { stream: Readable.from([sample(4)]) }, 'text/plain')).rejects.toThrow(
      /unsafe blob key/,
    );
    await expect(store.delete(key)).rejects.toThrow(/unsafe blob key/);
    await expect(store.url(key, 60)).rejects.toThrow(/unsafe blob key/);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.stat(key)).toBeUndefined();
  });

  it('never touches files outside the root', async () => {
    await writeFile(path.join(folder, 'x'), 'outside');
    await expect(store.put('../x', { stream: Readable.from([sample(4)]) }, 'text/plain')).rejects.toThrow();
    expect(await store.get('../x')).toBeUndefined();
    await expect(store.delete('../x')).rejects.toThrow();
    expect((await stat(path.join(folder, 'x'))).size).toBe('outside'.length);
  });
});

describe('LocalBlobStore url', () => {
  it('signs a download URL under the current public URL', async () => {
    let port = 0;
    const dynamic = new LocalBlobStore({
      root,
      publicUrl: () => `http://127.0.0.1:${port}/`,
      signer,
      now: () => 1_700_000_000_500,
    });
    port = 4321;
    const url = new URL(await dynamic.url('outputs/job_1/video.mp4', 3600));
    expect(url.origin).toBe('http://127.0.0.1:4321');
    expect(url.pathname).toBe('/v1/files/outputs/job_1/video.mp4');
    expect(url.searchParams.get('expires')).toBe('1700003600');
    const signature = url.searchParams.get('signature') ?? '';
    expect(signer.verify('outputs/job_1/video.mp4', 1_700_003_600, signature, 1_700_000_000_500)).toBe('ok');
    await expect(dynamic.url('a.bin', 0)).rejects.toThrow(/positive/);
  });
});

describe('LocalBlobStore memory', () => {
  it('streams a 100 MB blob in and out with flat memory', async () => {
    const chunkSize = 64 * 1024;
    const chunkCount = 1600; // 100 MiB
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampleMemory = () => {
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    const { stream: source, digest } = generatedStream(chunkCount, chunkSize, (produced) => {
      if (produced % 64 === 0) sampleMemory();
    });
    const info = await store.put('big/blob.bin', { stream: source }, 'application/octet-stream');
    expect(info.size).toBe(chunkSize * chunkCount);

    const read = await store.get('big/blob.bin');
    const readBack = createHash('sha256');
    let chunks = 0;
    for await (const chunk of read!.stream) {
      readBack.update(chunk as Buffer);
      chunks += 1;
      if (chunks % 64 === 0) sampleMemory();
    }
    expect(readBack.digest('hex')).toBe(digest());
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024);
  });
});
