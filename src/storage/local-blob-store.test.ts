import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../api/error-handler.ts';
import { registerFileRoutes } from '../api/file-routes.ts';
import { describeBlobStoreContract } from './contract/blob-store-contract.ts';
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

describeBlobStoreContract('local disk', async () => {
  const contractFolder = await mkdtemp(path.join(tmpdir(), 'reelgate-blobs-contract-'));
  // The local store's URLs point at the API's /v1/files route, so the contract downloads them
  // from that route, served by a bare Fastify app.
  const app = Fastify();
  installErrorHandler(app);
  const contractStore = new LocalBlobStore({
    root: path.join(contractFolder, 'blobs'),
    publicUrl: () => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    signer,
  });
  await registerFileRoutes(app, { blobStore: contractStore, signer });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    store: contractStore,
    close: async () => {
      await app.close();
      await rm(contractFolder, { recursive: true, force: true });
    },
  };
});

describe('LocalBlobStore on disk', () => {
  it('falls back to a generic content type when the sidecar is gone', async () => {
    await store.put('t/clip.webm', { stream: Readable.from([sample(4)]) }, 'video/webm; codecs="vp9"');
    expect((await store.stat('t/clip.webm'))?.contentType).toBe('video/webm; codecs="vp9"');
    await rm(path.join(root, 't', '.clip.webm.meta.json'));
    expect((await store.stat('t/clip.webm'))?.contentType).toBe('application/octet-stream');
  });

  it('gives a strong entity tag, and a path through a file or a folder of blobs is no blob', async () => {
    await store.put('s/a.bin', { stream: Readable.from([sample(42)]) }, 'application/x-test');
    expect((await store.stat('s/a.bin'))?.etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+-[0-9a-z]+"$/);
    expect(await store.stat('s/a.bin/deeper')).toBeUndefined();
    expect(await store.stat('s')).toBeUndefined();
    expect(await store.get('s')).toBeUndefined();
  });

  it('deletes the sidecar with the blob', async () => {
    await store.put('d/gone.bin', { stream: Readable.from([sample(8)]) }, 'application/x-test');
    await store.delete('d/gone.bin');
    expect(await readdir(path.join(root, 'd'))).toEqual([]);
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

  it('leaves no temporary file behind when the source stream fails', async () => {
    const failing = new PassThrough();
    const writing = store.put('fail/v.bin', { stream: failing }, 'text/plain');
    failing.write(Buffer.from('partial'));
    setTimeout(() => failing.destroy(new Error('upstream went away')), 20);
    await expect(writing).rejects.toThrow(/upstream went away/);
    expect(await readdir(path.join(root, 'fail'))).toEqual([]);
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
