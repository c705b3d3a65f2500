/**
 * In-process "a job may be claimable now" hints for workers sharing the store's process.
 *
 * A hint only: it says nothing about which job, other processes on the same database file never
 * hear it, and a worker may find nothing to claim when it wakes. Workers poll as well, so a missed
 * hint costs latency, never a job.
 *
 * Listeners run in a microtask after the write has committed, so a slow or throwing listener
 * can neither delay nor fail the write (a throw surfaces as an uncaught exception, like any other
 * bug). Hints raised in the same tick are coalesced into one call per listener.
 */
export class JobAvailableNotifier {
  /** One entry per subscription, so the same function subscribed twice is two subscriptions. */
  readonly #subscriptions = new Set<{ readonly listener: () => void }>();
  #scheduled = false;

  subscribe(listener: () => void): () => void {
    const subscription = { listener };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  notify(): void {
    if (this.#scheduled || this.#subscriptions.size === 0) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      for (const subscription of [...this.#subscriptions]) {
        // Skip a subscription that an earlier listener of this round removed.
        if (this.#subscriptions.has(subscription)) subscription.listener();
      }
    });
  }

  clear(): void {
    this.#subscriptions.clear();
  }
}
