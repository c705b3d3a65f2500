import { describe, expect, it } from 'vitest';
import type { WebhookAttempt, WebhookSecret } from '../../domain/webhook.ts';
import type { ContractContext } from './contract-fixtures.ts';
import { engineError, lease, newJob, result, t0 } from './contract-fixtures.ts';

const hook = 'https://hooks.example.com/reelgate';

/** An attempt record for delivery `deliveryId` at `createdAt`. */
function attempt(
  deliveryId: string,
  attemptNumber: number,
  createdAt: number,
  statusCode: number | null,
): WebhookAttempt {
  return {
    id: `${deliveryId}-attempt-${attemptNumber}`,
    deliveryId,
    attemptNumber,
    statusCode,
    responseBody: statusCode === null ? null : `status ${statusCode}`,
    responseTimeMs: 12,
    errorMessage: statusCode === null ? 'connection refused' : null,
    createdAt,
  };
}

function secret(id: string, keyId: string, createdAt: number): WebhookSecret {
  return { id, keyId, secret: `whsec_${id}`, label: id, createdAt, expiresAt: null };
}

/**
 * Registers the contract for the webhook outbox: deliveries appear with the status changes that
 * cause them (and only then), are leased to one sender at a time, keep their id and body across
 * retries, and record every attempt; plus signing secrets and default endpoints.
 *
 * @param context the store under test and the helpers bound to it.
 */
export function describeWebhooks(context: ContractContext): void {
  const { claim } = context;

  describe('webhook outbox', () => {
    it('writes one delivery with a terminal change, and none for a change that did not happen', async () => {
      const store = context.store();
      await store.insertJob(newJob('job-1', t0, { callbackUrl: hook, dialect: 'runflow' }));
      await claim('worker-a', t0 + 1);
      expect(await store.webhooks.listDeliveries('job-1')).toEqual([]);

      expect(await store.completeJob('job-1', 'worker-b', result, t0 + 2)).toBe(false);
      expect(await store.webhooks.listDeliveries('job-1')).toEqual([]);

      expect(await store.completeJob('job-1', 'worker-a', result, t0 + 3)).toBe(true);
      const deliveries = await store.webhooks.listDeliveries('job-1');
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({
        jobId: 'job-1',
        ownerKeyId: 'owner-a',
        url: hook,
        format: 'runflow',
        source: 'job',
        status: 'succeeded',
        automatic: true,
        state: 'pending',
        attempts: 0,
        nextAttemptAt: t0 + 3,
        payload: null,
        attemptLog: [],
      });
      expect(deliveries[0]?.id).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(await store.webhooks.nextDueAt()).toBe(t0 + 3);
    });

    it('reports every status change to a job that asked for them', async () => {
      const store = context.store();
      await store.insertJob(newJob('job-1', t0, { callbackUrl: hook, callbackEvents: 'changes' }));
      await claim('worker-a', t0 + 1);
      await store.failJob('job-1', 'worker-a', engineError, t0 + 2, t0 + 5);
      await claim('worker-a', t0 + 6);
      await store.failJob('job-1', 'worker-a', { ...engineError, retryable: false }, t0 + 7);
      const statuses = (await store.webhooks.listDeliveries('job-1')).map((delivery) => delivery.status);
      expect(statuses).toEqual(['queued', 'running', 'queued', 'running', 'failed']);
    });

    it('writes deliveries for cancellations and for recovery’s expiries and failures', async () => {
      const store = context.store();
      await store.insertJob(newJob('cancelled', t0, { callbackUrl: hook }));
      await store.insertJob(newJob('expired', t0 + 1, { callbackUrl: hook, deadlineAt: t0 + 50 }));
      await store.insertJob(newJob('lost', t0 + 2, { callbackUrl: hook, maxAttempts: 1 }));
      await store.insertJob(newJob('quiet', t0 + 3));
      await store.cancelJob('cancelled', t0 + 10);
      expect((await claim('worker-a', t0 + 11)).id).toBe('expired');
      expect((await claim('worker-a', t0 + 11, 10)).id).toBe('lost');
      await store.recoverExpired(t0 + 100);
      for (const [id, status] of [
        ['cancelled', 'cancelled'],
        ['expired', 'expired'],
        ['lost', 'failed'],
      ] as const) {
        const deliveries = await store.webhooks.listDeliveries(id);
        expect(
          deliveries.map((delivery) => delivery.status),
          id,
        ).toEqual([status]);
      }
      expect(await store.webhooks.listDeliveries('quiet')).toEqual([]);
    });

    it('sends OpenAI-style events to a key’s enabled default endpoint for finished jobs', async () => {
      const store = context.store();
      await store.webhooks.setEndpoint('owner-a', 'https://events.example.com/', t0);
      expect(await store.webhooks.getEndpoint('owner-a')).toMatchObject({
        url: 'https://events.example.com/',
        disabledAt: null,
      });
      await store.insertJob(newJob('done', t0));
      await store.insertJob(newJob('cancelled', t0 + 1));
      await store.insertJob(newJob('other-owner', t0 + 2, { ownerKeyId: 'owner-b' }));
      await claim('worker-a', t0 + 3);
      await store.completeJob('done', 'worker-a', result, t0 + 4);
      await store.cancelJob('cancelled', t0 + 4);
      await claim('worker-a', t0 + 5);
      await store.completeJob('other-owner', 'worker-a', result, t0 + 6);
      expect(await store.webhooks.listDeliveries('done')).toMatchObject([
        {
          url: 'https://events.example.com/',
          format: 'openai-event',
          source: 'key_default',
          status: 'succeeded',
        },
      ]);
      expect(await store.webhooks.listDeliveries('cancelled')).toEqual([]);
      expect(await store.webhooks.listDeliveries('other-owner')).toEqual([]);

      expect(await store.webhooks.disableEndpoint('owner-a', 'receiver answered 410 Gone', t0 + 7)).toBe(
        true,
      );
      expect(await store.webhooks.disableEndpoint('owner-a', 'again', t0 + 8)).toBe(false);
      expect(await store.webhooks.getEndpoint('owner-a')).toMatchObject({
        disabledAt: t0 + 7,
        disabledReason: 'receiver answered 410 Gone',
      });
      await store.insertJob(newJob('after', t0 + 9));
      await claim('worker-a', t0 + 10);
      await store.completeJob('after', 'worker-a', result, t0 + 11);
      expect(await store.webhooks.listDeliveries('after')).toEqual([]);

      await store.webhooks.setEndpoint('owner-a', 'https://events.example.com/v2', t0 + 12);
      expect(await store.webhooks.getEndpoint('owner-a')).toMatchObject({
        disabledAt: null,
        url: 'https://events.example.com/v2',
      });
      await store.webhooks.setEndpoint('owner-a', null, t0 + 13);
      expect(await store.webhooks.getEndpoint('owner-a')).toBeUndefined();
    });

    it('leases a due delivery to one sender; an expired lease hands it over with the same id', async () => {
      const store = context.store();
      await store.insertJob(newJob('job-1', t0, { callbackUrl: hook }));
      await store.cancelJob('job-1', t0 + 1);
      expect(await store.webhooks.claimDeliveries('sender-a', t0, 1000, 10)).toEqual([]);
      const [first] = await store.webhooks.claimDeliveries('sender-a', t0 + 1, 1000, 10);
      expect(first?.status).toBe('cancelled');
      expect(await store.webhooks.claimDeliveries('sender-b', t0 + 500, 1000, 10)).toEqual([]);
      const [again] = await store.webhooks.claimDeliveries('sender-b', t0 + 1002, 1000, 10);
      expect(again?.id).toBe(first?.id);
      const id = first?.id ?? '';
      // The first sender lost its lease: it can neither fix the body nor record an attempt.
      expect(await store.webhooks.fixPayload(id, 'sender-a', '{"a":1}', t0 + 1003)).toBeUndefined();
      expect(
        await store.webhooks.recordAttempt(attempt(id, 1, t0 + 1003, 200), 'sender-a', {
          state: 'delivered',
        }),
      ).toBe(false);
      expect(await store.webhooks.fixPayload(id, 'sender-b', '{"b":1}', t0 + 1003)).toBe('{"b":1}');
      // The body is fixed once: a later render never replaces the bytes already signed.
      expect(await store.webhooks.fixPayload(id, 'sender-b', '{"c":1}', t0 + 1004)).toBe('{"b":1}');
    });

    it('records attempts, retries at the time decided, and stops once delivered or failed', async () => {
      const store = context.store();
      await store.insertJob(newJob('job-1', t0, { callbackUrl: hook }));
      await store.insertJob(newJob('job-2', t0 + 1, { callbackUrl: hook }));
      await store.cancelJob('job-1', t0 + 2);
      await store.cancelJob('job-2', t0 + 3);
      const claimed = await store.webhooks.claimDeliveries('sender', t0 + 10, lease, 1);
      expect(claimed.map((delivery) => delivery.jobId)).toEqual(['job-1']);
      const id = claimed[0]?.id ?? '';
      expect(
        await store.webhooks.recordAttempt(attempt(id, 1, t0 + 11, 503), 'sender', {
          state: 'pending',
          nextAttemptAt: t0 + 5000,
        }),
      ).toBe(true);
      const rest = await store.webhooks.claimDeliveries('sender', t0 + 12, lease, 10);
      expect(rest.map((delivery) => delivery.jobId)).toEqual(['job-2']);
      expect(await store.webhooks.nextDueAt()).toBe(t0 + 5000);
      expect(await store.webhooks.claimDeliveries('sender', t0 + 4999, lease, 10)).toEqual([]);
      const [retry] = await store.webhooks.claimDeliveries('sender', t0 + 5000, lease, 10);
      expect(retry).toMatchObject({ id, attempts: 1, state: 'pending' });
      await store.webhooks.recordAttempt(attempt(id, 2, t0 + 5001, null), 'sender', {
        state: 'pending',
        nextAttemptAt: t0 + 6000,
      });
      await store.webhooks.claimDeliveries('sender', t0 + 6000, lease, 10);
      expect(
        await store.webhooks.recordAttempt(attempt(id, 3, t0 + 6001, 200), 'sender', { state: 'delivered' }),
      ).toBe(true);
      expect(
        await store.webhooks.recordAttempt(attempt(id, 4, t0 + 6002, 200), 'sender', { state: 'delivered' }),
      ).toBe(false);

      const [delivery] = await store.webhooks.listDeliveries('job-1');
      expect(delivery).toMatchObject({
        id,
        state: 'delivered',
        attempts: 3,
        nextAttemptAt: null,
        completedAt: t0 + 6001,
      });
      expect(
        delivery?.attemptLog.map((entry) => [entry.attemptNumber, entry.statusCode, entry.errorMessage]),
      ).toEqual([
        [1, 503, null],
        [2, null, 'connection refused'],
        [3, 200, null],
      ]);
      expect(await store.webhooks.getDelivery(id)).toEqual(delivery);

      await store.webhooks.recordAttempt(attempt(rest[0]?.id ?? '', 1, t0 + 13, 400), 'sender', {
        state: 'failed',
        reason: 'http_status',
        detail: 'the receiver answered 400',
      });
      expect(await store.webhooks.getDelivery(rest[0]?.id ?? '')).toMatchObject({
        state: 'failed',
        failureReason: 'http_status',
        failureDetail: 'the receiver answered 400',
        completedAt: t0 + 13,
      });
      expect(await store.webhooks.nextDueAt()).toBeUndefined();
      expect(await store.webhooks.claimDeliveries('sender', t0 + 99_999, lease, 10)).toEqual([]);
    });

    it('inserts redeliveries, due at once, and deletes deliveries with their job', async () => {
      const store = context.store();
      await store.insertJob(newJob('job-1', t0, { callbackUrl: hook }));
      await store.cancelJob('job-1', t0 + 1);
      const redelivery = await store.webhooks.insertDelivery({
        id: 'msg_redelivery',
        jobId: 'job-1',
        ownerKeyId: 'owner-a',
        url: 'https://other.example.com/',
        format: 'runflow',
        source: 'job',
        status: 'cancelled',
        automatic: false,
        createdAt: t0 + 2,
      });
      expect(redelivery).toMatchObject({
        id: 'msg_redelivery',
        automatic: false,
        state: 'pending',
        nextAttemptAt: t0 + 2,
      });
      expect((await store.webhooks.listDeliveries('job-1')).map((delivery) => delivery.automatic)).toEqual([
        true,
        false,
      ]);
      const claimed = await store.webhooks.claimDeliveries('sender', t0 + 3, lease, 10);
      await store.webhooks.recordAttempt(attempt('msg_redelivery', 1, t0 + 4, 200), 'sender', {
        state: 'delivered',
      });
      expect(claimed).toHaveLength(2);
      expect(await store.deleteJob('job-1')).toBe(true);
      expect(await store.webhooks.listDeliveries('job-1')).toEqual([]);
      expect(await store.webhooks.getDelivery('msg_redelivery')).toBeUndefined();
      expect(await store.webhooks.nextDueAt()).toBeUndefined();
    });

    it('keeps signing secrets newest first and retires the old ones at the time asked', async () => {
      const store = context.store();
      await store.webhooks.insertSecret(secret('one', 'owner-a', t0), null);
      await store.webhooks.insertSecret(secret('other-key', 'owner-b', t0), null);
      expect((await store.webhooks.listSecrets('owner-a', t0)).map((entry) => entry.id)).toEqual(['one']);
      await store.webhooks.insertSecret(secret('two', 'owner-a', t0 + 10), t0 + 1000);
      expect(await store.webhooks.listSecrets('owner-a', t0 + 999)).toMatchObject([
        { id: 'two', expiresAt: null },
        { id: 'one', expiresAt: t0 + 1000, secret: 'whsec_one', label: 'one', keyId: 'owner-a' },
      ]);
      expect((await store.webhooks.listSecrets('owner-a', t0 + 1000)).map((entry) => entry.id)).toEqual([
        'two',
      ]);
      expect((await store.webhooks.listSecrets('owner-b', t0 + 5000)).map((entry) => entry.id)).toEqual([
        'other-key',
      ]);
    });
  });
}
