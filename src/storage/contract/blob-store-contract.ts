import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../domain/app-error.ts';
import type { BlobStore } from '../blob-store.ts';

/**
 * The behaviour every BlobStore must have, as one parameterised vitest suite: local disk and S3
 * (against s3rver) run it unchanged. It uses the interface only, plus one plain `fetch` of the
 * URLs `url()` hands out, so a URL that no client could download fails here.
 *
 * @param open returns an empty store for one test; `close` removes whatever it left.
 */
export function describeBlobStoreContract(
  name: string,
  open: () => Promise<{ readonly store: BlobStore; readonly close: () => Promise<void> }>,
): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    let close: () => Promise<void>;
    let folder = '';

    beforeAll(async () => {
      folder = await mkdtemp(path.join(tmpdir(), 'reelgate-blob-contract-'));
    });
    afterAll(async () => {
      await rm(folder, { recursive: true, force: true });
    });
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    describe('put and get', () => {
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
        expect(await readAll(read?.stream)).toEqual(sample(1000));
      });

      it('drains a stream', async () => {
        const bytes = sample(5000);
        const chunks = [bytes.subarray(0, 1234), bytes.subarray(1234)];
        const info = await store.put('inputs/a.png', { stream: Readable.from(chunks) }, 'image/png');
        expect(info.size).toBe(5000);
        expect(await readAll((await store.get('inputs/a.png'))?.stream)).toEqual(bytes);
      });

      it('reads inclusive ranges and clamps an end past the last byte', async () => {
        const bytes = sample(300);
        await store.put('r/bytes.bin', { stream: Readable.from([bytes]) }, 'application/octet-stream');
        const head = await store.get('r/bytes.bin', { start: 0, end: 99 });
        expect(head?.range).toEqual({ start: 0, end: 99 });
        expect(head?.info.size).toBe(300);
        expect(await readAll(head?.stream)).toEqual(bytes.subarray(0, 100));
        const middle = await store.get('r/bytes.bin', { start: 150, end: 150 });
        expect(await readAll(middle?.stream)).toEqual(bytes.subarray(150, 151));
        const tail = await store.get('r/bytes.bin', { start: 250, end: 10_000 });
        expect(tail?.range).toEqual({ start: 250, end: 299 });
        expect(await readAll(tail?.stream)).toEqual(bytes.subarray(250));
      });

      it('refuses ranges that start past the end or are inverted', async () => {
        await store.put('r/small.bin', { stream: Readable.from([sample(10)]) }, 'application/octet-stream');
        for (const range of [
          { start: 10, end: 20 },
          { start: 5, end: 4 },
          { start: -1, end: 3 },
        ]) {
          const failure = await store.get('r/small.bin', range).catch((error: unknown) => error);
          expect(failure, JSON.stringify(range)).toBeInstanceOf(AppError);
          expect((failure as AppError).code).toBe('range_not_satisfiable');
        }
      });

      it('stores an empty blob', async () => {
        await store.put('e/empty.txt', { stream: Readable.from([]) }, 'text/plain');
        const read = await store.get('e/empty.txt');
        expect(read?.info.size).toBe(0);
        expect((await readAll(read?.stream)).length).toBe(0);
      });

      it('keeps the content type given at put', async () => {
        await store.put('t/clip.webm', { stream: Readable.from([sample(4)]) }, 'video/webm; codecs="vp9"');
        expect((await store.stat('t/clip.webm'))?.contentType).toBe('video/webm; codecs="vp9"');
        expect((await store.get('t/clip.webm'))?.info.contentType).toBe('video/webm; codecs="vp9"');
      });

      it('refuses a content type that could not be a header value', async () => {
        const put = (contentType: string) =>
          store.put('t/x.bin', { stream: Readable.from([sample(4)]) }, contentType);
        await expect(put('text/plain\r\nSet-Cookie: a=b')).rejects.toThrow(/invalid content type/);
        await expect(put('')).rejects.toThrow(/invalid content type/);
        expect(await store.stat('t/x.bin')).toBeUndefined();
      });
    });

    describe('stat, delete and overwrite', () => {
      it('stats a blob and reports missing keys as undefined', async () => {
        await store.put('s/a.bin', { stream: Readable.from([sample(42)]) }, 'application/x-test');
        expect(await store.stat('s/a.bin')).toMatchObject({
          key: 's/a.bin',
          size: 42,
          contentType: 'application/x-test',
        });
        expect(await store.stat('s/missing.bin')).toBeUndefined();
        expect(await store.get('s/missing.bin')).toBeUndefined();
      });

      it('deletes a blob, and deleting again or a blob never stored is fine', async () => {
        await store.put('d/gone.bin', { stream: Readable.from([sample(8)]) }, 'application/x-test');
        await store.delete('d/gone.bin');
        expect(await store.stat('d/gone.bin')).toBeUndefined();
        expect(await store.get('d/gone.bin')).toBeUndefined();
        await store.delete('d/gone.bin');
        await store.delete('never/was.bin');
      });

      it('overwrites a key with new bytes, type and entity tag', async () => {
        const first = await store.put(
          'o/file',
          { stream: Readable.from([Buffer.from('first')]) },
          'text/plain',
        );
        const second = await store.put(
          'o/file',
          { stream: Readable.from([Buffer.from('other')]) },
          'text/csv',
        );
        expect(second.etag).toBeDefined();
        expect(second.etag).not.toBe(first.etag);
        const read = await store.get('o/file');
        expect(read?.info).toMatchObject({ size: 5, contentType: 'text/csv', etag: second.etag });
        expect((await readAll(read?.stream)).toString()).toBe('other');
      });

      it('keeps the old blob and leaves nothing new when the source stream fails', async () => {
        await store.put('fail/v.bin', { stream: Readable.from([Buffer.from('old')]) }, 'text/plain');
        const failing = new PassThrough();
        const writing = store.put('fail/v.bin', { stream: failing }, 'text/plain');
        failing.write(Buffer.from('partial'));
        setTimeout(() => failing.destroy(new Error('upstream went away')), 20);
        await expect(writing).rejects.toThrow(/upstream went away/);
        await store
          .put('fail/fresh.bin', { stream: failingAfter(Buffer.from('x')) }, 'text/plain')
          .catch(() => undefined);
        expect(await store.stat('fail/fresh.bin')).toBeUndefined();
        expect((await readAll((await store.get('fail/v.bin'))?.stream)).toString()).toBe('old');
      });
    });

    describe('keys', () => {
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
    });

    describe('url', () => {
      it('hands out a URL that plain fetch downloads, whole and by range', async () => {
        const bytes = sample(2048);
        await store.put('outputs/job_9/video.mp4', { stream: Readable.from([bytes]) }, 'video/mp4');
        const url = await store.url('outputs/job_9/video.mp4', 600);
        const whole = await fetch(url);
        expect(whole.status).toBe(200);
        expect(whole.headers.get('content-type')).toBe('video/mp4');
        expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);
        const partial = await fetch(url, { headers: { range: 'bytes=100-199' } });
        expect(partial.status).toBe(206);
        expect(Buffer.from(await partial.arrayBuffer())).toEqual(bytes.subarray(100, 200));
        await expect(store.url('outputs/job_9/video.mp4', 0)).rejects.toThrow();
      });
    });
  });
}

async function readAll(stream: Readable | undefined): Promise<Buffer> {
  if (stream === undefined) throw new Error('expected a blob, got none');
  return Buffer.concat((await stream.toArray()) as Buffer[]);
}

function sample(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, index) => (index * 7 + 3) % 256));
}

/** A stream that yields `first` and then fails. */
function failingAfter(first: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (sent) this.destroy(new Error('source failed'));
      else {
        sent = true;
        this.push(first);
      }
    },
  });
}
