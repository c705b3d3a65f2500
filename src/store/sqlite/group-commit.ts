/**
 * Group commit: writes that arrive in the same turn of the event loop are committed together in
 * one transaction, and each caller's promise settles only after that commit. Under load this
 * turns thousands of tiny commits (each rewriting the same table and index pages into the WAL)
 * into a few large ones; when idle a write waits only for `setImmediate`.
 *
 * If the batch fails (say one row breaks a constraint), every item is retried on its own so that
 * one bad write cannot fail its neighbours.
 */
export class GroupCommit<Item, Result> {
  readonly #commitBatch: (items: readonly Item[]) => Result[];
  readonly #commitOne: (item: Item) => Result;
  readonly #afterCommit: (items: readonly Item[]) => void;
  #pending: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];

  /**
   * @param commitBatch writes every item in one transaction and returns their results in order.
   * @param commitOne writes one item in its own transaction.
   * @param afterCommit runs once after each commit that wrote at least one item, with the items
   *   that commit wrote.
   */
  constructor(
    commitBatch: (items: readonly Item[]) => Result[],
    commitOne: (item: Item) => Result,
    afterCommit: (items: readonly Item[]) => void,
  ) {
    this.#commitBatch = commitBatch;
    this.#commitOne = commitOne;
    this.#afterCommit = afterCommit;
  }

  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits whatever is waiting now (also called before the database closes). */
  flush(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let results: Result[] | undefined;
    try {
      results = this.#commitBatch(batch.map((entry) => entry.item));
    } catch {
      results = undefined;
    }
    if (results !== undefined) {
      this.#afterCommit(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index] as Result));
      return;
    }
    const wrote: Item[] = [];
    for (const entry of batch) {
      try {
        entry.resolve(this.#commitOne(entry.item));
        wrote.push(entry.item);
      } catch (error) {
        entry.reject(error);
      }
    }
    if (wrote.length > 0) this.#afterCommit(wrote);
  }
}
