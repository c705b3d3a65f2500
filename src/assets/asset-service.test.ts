import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import type { Asset } from '../domain/asset.ts';
import type { MediaFacts } from '../inputs/media-inspect.ts';
import type { ListAssetsQuery } from '../store/job-store.ts';
import { AssetService } from './asset-service.ts';
import type { AssetServiceOptions, AssetStore, InspectMedia } from './asset-service.ts';

const owner = 'key-owner';
const stranger = 'key-stranger';
const createdAt = Date.UTC(2025, 0, 2, 3, 4, 5);

const imageFacts: MediaFacts = {
  kind: 'image',
  format: 'png',
  mime: 'image/png',
  bytes: 1234,
  width: 640,
  height: 480,
  videoCodec: 'png',
  hasAudio: false,
  hasVideo: false,
};

/** Every store and blob call, in order, so tests can check what happened and in which order. */
let calls: string[];
let rows: Map<string, Asset>;
let blobs: Set<string>;
let scratchDir: string;

/** A Map-backed store that records its calls; listing is newest first by id, like the real ones. */
function fakeStore(overrides: Partial<AssetStore> = {}): AssetStore {
  return {
    async insertAsset(asset) {
      calls.push(`insertAsset ${asset.id}`);
      rows.set(asset.id, asset);
    },
    async getAsset(id) {
      calls.push(`getAsset ${id}`);
      return rows.get(id);
    },
    async listAssets(query: ListAssetsQuery) {
      calls.push(`listAssets limit=${query.limit} after=${query.after ?? '-'}`);
      return [...rows.values()]
        .filter((asset) => asset.ownerKeyId === query.ownerKeyId)
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .filter((asset) => query.after === undefined || asset.id < query.after)
        .slice(0, query.limit);
    },
    async deleteAsset(id) {
      calls.push(`deleteAsset ${id}`);
      return rows.delete(id) ? { deleted: true } : { deleted: false, usedBy: undefined };
    },
    ...overrides,
  };
}

function fakeBlobStore(
  overrides: Partial<AssetServiceOptions['blobStore']> = {},
): AssetServiceOptions['blobStore'] {
  return {
    async put(key, _source, contentType) {
      calls.push(`put ${key} ${contentType}`);
      blobs.add(key);
      return { key, size: 0, contentType };
    },
    async delete(key) {
      calls.push(`delete ${key}`);
      blobs.delete(key);
    },
    ...overrides,
  };
}

function service(options: Partial<AssetServiceOptions> = {}): AssetService {
  return new AssetService({
    store: fakeStore(),
    blobStore: fakeBlobStore(),
    inspectMedia: async () => imageFacts,
    scratchDir,
    logger: { warn: vi.fn() },
    now: () => createdAt,
    newId: (now) => `asset-${now}`,
    ...options,
  });
}

function asset(id: string, ownerKeyId = owner): Asset {
  return {
    id,
    ownerKeyId,
    blobKey: `assets/${id}/asset.png`,
    kind: 'image',
    format: 'png',
    contentType: 'image/png',
    bytes: 1234,
    width: 640,
    height: 480,
    durationSeconds: null,
    facts: {},
    createdAt,
  };
}

function store(...assets: Asset[]): void {
  for (const one of assets) {
    rows.set(one.id, one);
    blobs.add(one.blobKey);
  }
}

async function scratchFile(): Promise<string> {
  const file = path.join(scratchDir, `upload-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, 'bytes');
  return file;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

beforeEach(async () => {
  calls = [];
  rows = new Map();
  blobs = new Set();
  scratchDir = await mkdtemp(path.join(tmpdir(), 'reelgate-asset-service-'));
});

afterEach(async () => {
  await rm(scratchDir, { recursive: true, force: true });
});

describe('AssetService.get', () => {
  it("answers another key's asset exactly like an unknown id", async () => {
    store(asset('a1'));
    const assets = service();
    expect(await assets.get('a1', owner)).toEqual(asset('a1'));

    const foreign = await rejection(assets.get('a1', stranger));
    const unknown = await rejection(assets.get('a2', stranger));
    expect(foreign.code).toBe('not_found');
    expect(foreign.message).toBe('no asset a1');
    expect(unknown.code).toBe('not_found');
    expect(unknown.message).toBe('no asset a2');
    expect([foreign.status, foreign.field, foreign.issues]).toEqual([
      unknown.status,
      unknown.field,
      unknown.issues,
    ]);
  });
});

describe('AssetService.list', () => {
  it("pages the owner's assets and tells whether more follow, from one extra row", async () => {
    store(asset('a1'), asset('a2'), asset('a3'), asset('b1', stranger));
    const assets = service();

    const first = await assets.list(owner, { limit: 2 });
    expect(first.assets.map((one) => one.id)).toEqual(['a3', 'a2']);
    expect(first.hasMore).toBe(true);
    const rest = await assets.list(owner, { limit: 2, after: 'a2' });
    expect(rest.assets.map((one) => one.id)).toEqual(['a1']);
    expect(rest.hasMore).toBe(false);
    expect(calls).toEqual(['listAssets limit=3 after=-', 'listAssets limit=3 after=a2']);
  });
});

describe('AssetService.delete', () => {
  it('deletes the row, then the blob', async () => {
    store(asset('a1'));
    const deleted = await service().delete('a1', owner);
    expect(deleted.id).toBe('a1');
    expect(calls).toEqual(['getAsset a1', 'deleteAsset a1', 'delete assets/a1/asset.png']);
    expect(rows.size).toBe(0);
    expect(blobs.size).toBe(0);
  });

  it("refuses another key's asset as not found and touches neither row nor blob", async () => {
    store(asset('a1'));
    const error = await rejection(service().delete('a1', stranger));
    expect(error.code).toBe('not_found');
    expect(error.message).toBe('no asset a1');
    expect(calls).toEqual(['getAsset a1']);
    expect(rows.has('a1')).toBe(true);
    expect(blobs.has('assets/a1/asset.png')).toBe(true);
  });

  it('is not found, and keeps the blob, when another request deleted the row first', async () => {
    store(asset('a1'));
    const racing = fakeStore({
      async deleteAsset(id) {
        calls.push(`deleteAsset ${id}`);
        return { deleted: false, usedBy: undefined };
      },
    });
    const error = await rejection(service({ store: racing }).delete('a1', owner));
    expect(error.code).toBe('not_found');
    expect(calls).toEqual(['getAsset a1', 'deleteAsset a1']);
  });

  it('refuses, naming the job, and keeps row and blob, while a queued or running job uses the asset', async () => {
    store(asset('a1'));
    const inUse = fakeStore({
      async deleteAsset(id) {
        calls.push(`deleteAsset ${id}`);
        return { deleted: false, usedBy: { id: 'job-7', status: 'queued' } };
      },
    });
    const error = await rejection(service({ store: inUse }).delete('a1', owner));
    expect(error.code).toBe('not_deletable');
    expect(error.message).toMatch(/asset a1 is used by job job-7, which is queued/);
    expect(calls).toEqual(['getAsset a1', 'deleteAsset a1']);
    expect(blobs.has('assets/a1/asset.png')).toBe(true);
  });

  it('succeeds and logs when the blob cannot be removed after the row is gone', async () => {
    store(asset('a1'));
    const warn = vi.fn();
    const failing = fakeBlobStore({
      async delete() {
        throw new Error('disk on fire');
      },
    });
    const deleted = await service({ blobStore: failing, logger: { warn } }).delete('a1', owner);
    expect(deleted.id).toBe('a1');
    expect(rows.has('a1')).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ blobKey: 'assets/a1/asset.png' }),
      'deleted asset left its blob behind',
    );
  });
});

describe('AssetService.upload', () => {
  it('stores the blob, then the row, and removes the received file', async () => {
    const file = await scratchFile();
    const inspect = vi.fn<InspectMedia>(async () => imageFacts);
    const signal = new AbortController().signal;
    const uploaded = await service({ inspectMedia: inspect }).upload({
      ownerKeyId: owner,
      file,
      kind: 'image',
      field: 'file',
      signal,
    });

    expect(inspect).toHaveBeenCalledWith(file, 'image', signal);
    const id = `asset-${createdAt}`;
    expect(uploaded).toEqual({
      id,
      ownerKeyId: owner,
      blobKey: `assets/${id}/asset.png`,
      kind: 'image',
      format: 'png',
      contentType: 'image/png',
      bytes: 1234,
      width: 640,
      height: 480,
      durationSeconds: null,
      facts: { videoCodec: 'png', hasAudio: false, hasVideo: false },
      createdAt,
    });
    expect(calls).toEqual([`put assets/${id}/asset.png image/png`, `insertAsset ${id}`]);
    expect(existsSync(file)).toBe(false);
  });

  it('names the field in an inspection refusal, and keeps nothing', async () => {
    const file = await scratchFile();
    const inspectMedia: InspectMedia = async () => {
      throw new AppError('input_rejected', 'text where an image was expected');
    };
    const error = await rejection(
      service({ inspectMedia }).upload({ ownerKeyId: owner, file, kind: 'image', field: 'file' }),
    );
    expect(error.code).toBe('input_rejected');
    expect(error.message).toBe('file: text where an image was expected');
    expect(error.field).toBe('file');
    expect(calls).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a file over the limits one file can break, but not the rules about a whole request', async () => {
    const tiny = await scratchFile();
    const tinyImage = service({ inspectMedia: async () => ({ ...imageFacts, width: 100, height: 100 }) });
    const error = await rejection(
      tinyImage.upload({ ownerKeyId: owner, file: tiny, kind: 'image', field: 'file' }),
    );
    expect(error.code).toBe('input_rejected');
    expect(error.issues).toEqual([expect.objectContaining({ field: 'file', rule: 'min_side' })]);
    expect(calls).toEqual([]);
    expect(existsSync(tiny)).toBe(false);

    // Audio alone breaks "never the only media", a rule for requests: as an asset it is fine.
    const audio: MediaFacts = {
      kind: 'audio',
      format: 'wav',
      mime: 'audio/wav',
      bytes: 1000,
      durationSeconds: 3,
      audioCodec: 'pcm_s16le',
      hasAudio: true,
      hasVideo: false,
    };
    const clip = await scratchFile();
    const uploaded = await service({ inspectMedia: async () => audio }).upload({
      ownerKeyId: owner,
      file: clip,
      kind: 'audio',
      field: 'file',
    });
    expect(uploaded).toMatchObject({ kind: 'audio', width: null, height: null, durationSeconds: 3 });
  });

  it('removes the stored blob when the row cannot be inserted', async () => {
    const file = await scratchFile();
    const broken = fakeStore({
      async insertAsset(one) {
        calls.push(`insertAsset ${one.id}`);
        throw new Error('database is locked');
      },
    });
    await expect(
      service({ store: broken }).upload({ ownerKeyId: owner, file, kind: 'image', field: 'file' }),
    ).rejects.toThrow('database is locked');
    const key = `assets/asset-${createdAt}/asset.png`;
    expect(calls).toEqual([`put ${key} image/png`, `insertAsset asset-${createdAt}`, `delete ${key}`]);
    expect(blobs.size).toBe(0);
    expect(existsSync(file)).toBe(false);
  });
});
