import pg from 'pg';
import { JobAvailableNotifier } from '../sqlite/job-available-notifier.ts';
import { jobAvailableChannel } from './postgres-migrations.ts';

export interface PostgresJobListenerOptions {
  /** Connection settings for the dedicated LISTEN connection (a pooled one would be recycled). */
  readonly connection: pg.ClientConfig;
  /** Wait before reconnecting after the connection dropped (default 1000 ms). */
  readonly reconnectMs?: number;
  /** Told about a dropped connection; the listener reconnects on its own. */
  readonly onError?: (error: Error) => void;
}

/**
 * "A job may be claimable" hints across processes: one connection LISTENs on the channel that the
 * `jobs` triggers notify (inserts, retries, re-queues from any node), and every notification is
 * passed to this process's subscribers through a JobAvailableNotifier (coalesced, after commit).
 *
 * A hint only. The connection is opened on the first subscription (an API-only node never opens
 * it), and while it is down — PostgreSQL restarting, a network cut — hints are lost and the
 * workers' polling finds the jobs; it reconnects after `reconnectMs`.
 */
export class PostgresJobListener {
  readonly #options: PostgresJobListenerOptions;
  readonly #notifier = new JobAvailableNotifier();
  #client: pg.Client | undefined;
  #reconnect: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: PostgresJobListenerOptions) {
    this.#options = options;
  }

  subscribe(listener: () => void): () => void {
    const unsubscribe = this.#notifier.subscribe(listener);
    if (this.#client === undefined && this.#reconnect === undefined) this.#connect();
    return unsubscribe;
  }

  /** A hint raised by this process's own writes: delivered at once, without the round trip. */
  notifyLocally(): void {
    this.#notifier.notify();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#notifier.clear();
    clearTimeout(this.#reconnect);
    this.#reconnect = undefined;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #connect(): void {
    if (this.#closed) return;
    const client = new pg.Client(this.#options.connection);
    this.#client = client;
    let failed = false;
    const fail = (error: Error) => {
      if (failed || this.#closed) return;
      failed = true;
      this.#options.onError?.(error);
      this.#client = undefined;
      void client.end().catch(() => undefined);
      this.#reconnect = setTimeout(() => {
        this.#reconnect = undefined;
        this.#connect();
      }, this.#options.reconnectMs ?? 1000);
      this.#reconnect.unref();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('the LISTEN connection to PostgreSQL closed')));
    client.on('notification', () => this.#notifier.notify());
    client
      .connect()
      .then(() => client.query(`LISTEN ${jobAvailableChannel}`))
      // Jobs may have become claimable while the connection was down.
      .then(() => this.#notifier.notify())
      .catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
  }
}
