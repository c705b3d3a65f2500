import { describe, expect, it, vi } from 'vitest';
import type { IdempotencyClaim } from '../job-store.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { newJob, t0 } from './contract-fixtures.ts';

/** The window the jobs layer uses; the store only ever sees its start (`since`). */
const day = 24 * 60 * 60 * 1000;

/** A claim on `key` with `requestHash`, remembering keys from a day before `now`. */
function claimOf(key: string, requestHash: string, now: number): IdempotencyClaim {
  return { key, requestHash, since: now - day };
}

/**
 * Registers the contract for `insertJobOnce`: one job per owner and idempotency key within the
 * window, whatever the request hash and however many calls race.
 *
 * @param context the store under test and the helpers bound to it.
 */
export function describeIdempotency(context: ContractContext): void {
  const { claim } = context;

  describe('insert once', () => {
    it('creates the job on first use of a key, then returns that job and its hash', async () => {
      const store = context.store();
      const first = await store.insertJobOnce(newJob('job-1', t0), claimOf('key-1', 'hash-1', t0));
      expect(first).toEqual({ created: true, job: await store.getJob('job-1') });
      expect(first.job).toMatchObject({ id: 'job-1', status: 'queued', createdAt: t0 });

      const again = await store.insertJobOnce(newJob('job-2', t0 + 10), claimOf('key-1', 'hash-1', t0 + 10));
      expect(again).toEqual({ created: false, job: first.job, requestHash: 'hash-1' });
      // Another request under the same key still gets the first job and the first hash: telling
      // the client it reused a key for a different request is the caller's decision.
      const conflicting = await store.insertJobOnce(
        newJob('job-3', t0 + 20),
        claimOf('key-1', 'hash-2', t0 + 20),
      );
      expect(conflicting).toEqual({ created: false, job: first.job, requestHash: 'hash-1' });
      expect(await store.getJob('job-2')).toBeUndefined();
      expect(await store.getJob('job-3')).toBeUndefined();
      expect(await store.countJobs({ ownerKeyId: 'owner-a', limit: 0 })).toBe(1);
    });

    it('returns the earlier job as it is now, not as it was created', async () => {
      const store = context.store();
      await store.insertJobOnce(newJob('job-1', t0), claimOf('key-1', 'hash-1', t0));
      const running = await claim('worker-a', t0 + 10);
      const again = await store.insertJobOnce(newJob('job-2', t0 + 20), claimOf('key-1', 'hash-1', t0 + 20));
      expect(again).toEqual({ created: false, job: running, requestHash: 'hash-1' });
    });

    it("scopes keys to their owner, and an owner's keys to themselves", async () => {
      const store = context.store();
      const ownerB = { ownerKeyId: 'owner-b' };
      await store.insertJobOnce(newJob('job-a', t0), claimOf('shared', 'hash-a', t0));
      const forB = await store.insertJobOnce(
        newJob('job-b', t0 + 1, ownerB),
        claimOf('shared', 'hash-b', t0),
      );
      expect(forB).toMatchObject({ created: true, job: { id: 'job-b', ownerKeyId: 'owner-b' } });
      const otherKey = await store.insertJobOnce(newJob('job-c', t0 + 2), claimOf('another', 'hash-a', t0));
      expect(otherKey).toMatchObject({ created: true, job: { id: 'job-c' } });
      expect(
        await store.insertJobOnce(newJob('job-d', t0 + 3, ownerB), claimOf('shared', 'hash-a', t0 + 3)),
      ).toMatchObject({ created: false, job: { id: 'job-b' }, requestHash: 'hash-b' });
      expect(
        await store.insertJobOnce(newJob('job-e', t0 + 4), claimOf('shared', 'hash-b', t0 + 4)),
      ).toMatchObject({ created: false, job: { id: 'job-a' }, requestHash: 'hash-a' });
    });

    it('forgets a key older than `since` and gives it to the new job', async () => {
      const store = context.store();
      await store.insertJobOnce(newJob('job-1', t0), claimOf('key-1', 'hash-1', t0));
      // A key exactly as old as `since` is still inside the window.
      const atBoundary = { key: 'key-1', requestHash: 'hash-2', since: t0 };
      expect(await store.insertJobOnce(newJob('job-2', t0 + 5), atBoundary)).toMatchObject({
        created: false,
        job: { id: 'job-1' },
      });
      const pastWindow = { key: 'key-1', requestHash: 'hash-3', since: t0 + 1 };
      const renewed = await store.insertJobOnce(newJob('job-3', t0 + day), pastWindow);
      expect(renewed).toMatchObject({ created: true, job: { id: 'job-3', createdAt: t0 + day } });
      expect(await store.getJob('job-1')).toMatchObject({ id: 'job-1', status: 'queued' });
      // The key now belongs to the new job, with the new hash.
      const later = await store.insertJobOnce(newJob('job-4', t0 + day + 1), pastWindow);
      expect(later).toEqual({ created: false, job: renewed.job, requestHash: 'hash-3' });
    });

    it('creates exactly one job for 20 concurrent calls with one key', async () => {
      const store = context.store();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          store.insertJobOnce(
            newJob(`race-${String(index).padStart(2, '0')}`, t0 + index),
            claimOf('raced', `hash-${index}`, t0 + index),
          ),
        ),
      );
      const created = outcomes.filter((outcome) => outcome.created);
      expect(created).toHaveLength(1);
      const winner = created[0]?.job;
      expect(new Set(outcomes.map((outcome) => outcome.job.id))).toEqual(new Set([winner?.id]));
      const hashes = new Set(outcomes.flatMap((outcome) => (outcome.created ? [] : [outcome.requestHash])));
      expect(hashes.size).toBe(1);
      expect(await store.countJobs({ ownerKeyId: 'owner-a', limit: 0 })).toBe(1);
      expect((await store.countByStatus()).queued).toBe(1);
    });

    it('hints that a job is available after creating one', async () => {
      const store = context.store();
      let hints = 0;
      store.onJobAvailable(() => (hints += 1));
      await store.insertJobOnce(newJob('job-1', t0), claimOf('key-1', 'hash-1', t0));
      await vi.waitFor(() => expect(hints).toBeGreaterThan(0));
    });
  });
}
