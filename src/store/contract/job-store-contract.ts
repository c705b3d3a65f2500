import { afterEach, beforeEach, describe } from 'vitest';
import type { JobStore } from '../job-store.ts';
import { describeApiKeys } from './api-keys.ts';
import { describeAssets } from './assets.ts';
import { createContractContext } from './contract-fixtures.ts';
import { describeDeletion } from './deletion.ts';
import { describeIdempotency } from './idempotency.ts';
import { describeJobsAndLeases } from './jobs-and-leases.ts';
import { describeListing } from './listing.ts';
import { describeQueueLifecycle } from './queue-lifecycle.ts';
import { describeRetention } from './retention.ts';
import { describeUsage } from './usage.ts';
import { describeWebhooks } from './webhooks.ts';

/**
 * The behaviour every JobStore must have, as one parameterised vitest suite: each implementation's
 * test file calls `describeJobStoreContract` with a way to open an empty, migrated store. It tests
 * the interface only (never SQL or tables), and time only through the `now` arguments, so it runs
 * unchanged against SQLite and PostgreSQL and never sleeps.
 *
 * @param open returns a fresh, empty, migrated store; called before every test.
 * @param cleanup runs after every test instead of `store.close()` (e.g. close and delete files).
 */
export function describeJobStoreContract(
  name: string,
  open: () => Promise<JobStore>,
  cleanup?: (store: JobStore) => Promise<void>,
): void {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await (cleanup === undefined ? store.close() : cleanup(store));
    });

    const context = createContractContext(() => store);
    describeJobsAndLeases(context);
    describeQueueLifecycle(context);
    describeListing(context);
    describeIdempotency(context);
    describeDeletion(context);
    describeApiKeys(context);
    describeAssets(context);
    describeWebhooks(context);
    describeUsage(context);
    describeRetention(context);
  });
}
