import { describe, expect, it } from 'vitest';
import type { Asset } from '../../domain/asset.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { newJob, request, result, t0 } from './contract-fixtures.ts';

/**
 * An image asset of `owner-a` created at `createdAt`, unless `overrides` says otherwise. Its
 * facts hold nesting, a null and non-ASCII text, so the JSON round trip is tested.
 */
function newAsset(id: string, createdAt: number, overrides: Partial<Asset> = {}): Asset {
  return {
    id,
    ownerKeyId: 'owner-a',
    blobKey: `assets/${id}/asset.png`,
    kind: 'image',
    format: 'png',
    contentType: 'image/png',
    bytes: 12_345,
    width: 640,
    height: 480,
    durationSeconds: null,
    facts: { hasAudio: false, hasVideo: true, note: 'café ☕', nested: { list: [1, null] } },
    createdAt,
    ...overrides,
  };
}

/**
 * Registers the contract for uploaded assets: round trip, owner-scoped listing with keyset
 * paging, and deletion.
 *
 * @param context the store under test.
 */
export function describeAssets(context: ContractContext): void {
  /** The ids `listAssets` returns for `owner`, with `limit` and an optional cursor. */
  async function listed(owner: string, limit: number, after?: string): Promise<string[]> {
    const query = { ownerKeyId: owner, limit, ...(after === undefined ? {} : { after }) };
    return (await context.store().listAssets(query)).map((asset) => asset.id);
  }

  describe('assets', () => {
    it('reads back exactly what was inserted, for every kind', async () => {
      const store = context.store();
      const image = newAsset('asset-image', t0);
      const video = newAsset('asset-video', t0 + 1, {
        kind: 'video',
        format: 'mp4',
        contentType: 'video/mp4',
        blobKey: 'assets/asset-video/asset.mp4',
        durationSeconds: 2.5,
        facts: { fps: 24, videoCodec: 'h264', audioCodec: 'aac', hasAudio: true },
      });
      const audio = newAsset('asset-audio', t0 + 2, {
        kind: 'audio',
        format: 'wav',
        contentType: 'audio/wav',
        width: null,
        height: null,
        durationSeconds: 3,
        facts: {},
      });
      for (const asset of [image, video, audio]) await store.insertAsset(asset);
      expect(await store.getAsset('asset-image')).toEqual(image);
      expect(await store.getAsset('asset-video')).toEqual(video);
      expect(await store.getAsset('asset-audio')).toEqual(audio);
      expect(await store.getAsset('no-such-asset')).toBeUndefined();
    });

    it('refuses a second asset with the same id and keeps the first', async () => {
      const store = context.store();
      await store.insertAsset(newAsset('asset-1', t0));
      await expect(
        store.insertAsset(newAsset('asset-1', t0 + 1, { ownerKeyId: 'owner-b' })),
      ).rejects.toThrow();
      expect(await store.getAsset('asset-1')).toEqual(newAsset('asset-1', t0));
    });

    it("lists only the owner's assets, newest first, ties broken by id", async () => {
      const store = context.store();
      await store.insertAsset(newAsset('tie-a', t0 + 1));
      await store.insertAsset(newAsset('oldest', t0));
      await store.insertAsset(newAsset('other-owner', t0 + 5, { ownerKeyId: 'owner-b' }));
      await store.insertAsset(newAsset('tie-b', t0 + 1));
      await store.insertAsset(newAsset('newest', t0 + 2));
      expect(await listed('owner-a', 10)).toEqual(['newest', 'tie-b', 'tie-a', 'oldest']);
      expect(await listed('owner-b', 10)).toEqual(['other-owner']);
      expect(await listed('owner-c', 10)).toEqual([]);
      expect(await listed('owner-a', 0)).toEqual([]);
    });

    it('pages with a keyset cursor through ties; only the owner can use a cursor', async () => {
      const store = context.store();
      for (const [index, id] of ['a-0', 'a-1', 'a-2', 'a-3', 'a-4'].entries()) {
        await store.insertAsset(newAsset(id, t0 + index));
      }
      await store.insertAsset(newAsset('a-2b', t0 + 2));
      await store.insertAsset(newAsset('b-0', t0 + 2, { ownerKeyId: 'owner-b' }));
      expect(await listed('owner-a', 2)).toEqual(['a-4', 'a-3']);
      expect(await listed('owner-a', 2, 'a-3')).toEqual(['a-2b', 'a-2']);
      expect(await listed('owner-a', 2, 'a-2b')).toEqual(['a-2', 'a-1']);
      expect(await listed('owner-a', 2, 'a-1')).toEqual(['a-0']);
      expect(await listed('owner-a', 2, 'a-0')).toEqual([]);
      expect(await listed('owner-a', 2, 'b-0')).toEqual([]);
      expect(await listed('owner-a', 2, 'no-such-asset')).toEqual([]);
      expect(await listed('owner-b', 2, 'a-3')).toEqual([]);
    });

    it('keeps an asset while a queued or running job of its owner uses it, and names that job', async () => {
      const store = context.store();
      await store.insertAsset(newAsset('used', t0));
      await store.insertAsset(newAsset('use_', t0));
      await store.insertAsset(newAsset('other-owner', t0));
      const using = (source: string) => ({
        ...request,
        images: [{ source, role: 'first_frame' as const }],
      });
      await store.insertJob(newJob('job-q', t0 + 1, { request: using('asset://used') }));
      // Another owner's job naming the asset's id does not hold it (it could never read it).
      await store.insertJob(
        newJob('job-b', t0 + 2, { ownerKeyId: 'owner-b', request: using('asset://other-owner') }),
      );
      expect(await store.deleteAsset('used')).toEqual({
        deleted: false,
        usedBy: { id: 'job-q', status: 'queued' },
      });
      // "use_" would match "used" as an unescaped LIKE pattern: the id's wildcards are escaped.
      expect(await store.deleteAsset('use_')).toEqual({ deleted: true });
      expect(await store.getAsset('used')).toBeDefined();
      await context.claim('worker-a', t0 + 10);
      expect(await store.deleteAsset('used')).toEqual({
        deleted: false,
        usedBy: { id: 'job-q', status: 'running' },
      });
      await store.completeJob('job-q', 'worker-a', result, t0 + 20);
      expect(await store.deleteAsset('used')).toEqual({ deleted: true });
      // owner-b's queued job names "other-owner", which is owner-a's: it never held it.
      expect(await store.deleteAsset('other-owner')).toEqual({ deleted: true });
    });

    it('deletes an asset once; it is then gone from reads and listings', async () => {
      const store = context.store();
      await store.insertAsset(newAsset('keep', t0));
      await store.insertAsset(newAsset('drop', t0 + 1));
      expect(await store.deleteAsset('drop')).toEqual({ deleted: true });
      expect(await store.getAsset('drop')).toBeUndefined();
      expect(await store.deleteAsset('drop')).toEqual({ deleted: false, usedBy: undefined });
      expect(await store.deleteAsset('no-such-asset')).toEqual({ deleted: false, usedBy: undefined });
      expect(await listed('owner-a', 10)).toEqual(['keep']);
      // A deleted asset's id is an unknown cursor like any other.
      expect(await listed('owner-a', 10, 'drop')).toEqual([]);
      expect(await store.getAsset('keep')).toEqual(newAsset('keep', t0));
    });

    it('rejects a limit that is not a non-negative integer', async () => {
      const store = context.store();
      await expect(store.listAssets({ ownerKeyId: 'owner-a', limit: -1 })).rejects.toThrow(RangeError);
      await expect(store.listAssets({ ownerKeyId: 'owner-a', limit: 1.5 })).rejects.toThrow(RangeError);
    });
  });
}
