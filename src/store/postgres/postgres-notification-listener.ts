import pg from 'pg';
import { JobAvailableNotifier } from '../sqlite/job-available-notifier.ts';

export interface PostgresNotificationListenerOptions {
  /** Connection settings for the dedicated LISTEN connection (a pooled one would be recycled). */
  readonly connection: pg.ClientConfig;
  /** Wait before reconnecting after the connection dropped (default 1000 ms). */
  readonly reconnectMs?: number;
  /** Told about a dropped connection; the listener reconnects on its own. */
  readonly onError?: (error: Error) => void;
}

/** One channel's hints: from every node through NOTIFY, and from this process's own writes. */
export interface PostgresChannelHints {
  /** Calls `listener` after each hint (coalesced, after commit); returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** A hint raised by this process's own write: delivered at once, without the round trip. */
  notifyLocally(): void;
}

/** LISTEN takes an identifier, not a parameter: only plain lower-case names are accepted. */
const channelName = /^[a-z_][a-z0-9_]*$/;

/**
 * "Something may be ready" hints across processes, over one connection per process whatever the
 * number of channels (job pickup, webhook deliveries): the connection LISTENs on every channel
 * that has a subscriber, and each notification is passed to that channel's subscribers through a
 * JobAvailableNotifier.
 *
 * Hints only. The connection is opened on the first subscription (a process that neither works
 * nor sends webhooks never opens it), a channel is listened to from its first subscription on,
 * and while the connection is down — PostgreSQL restarting, a network cut — hints are lost and
 * polling finds the work; it reconnects after `reconnectMs`, and every channel's subscribers are
 * woken once it listens again, for what may have happened meanwhile.
 */
export class PostgresNotificationListener {
  readonly #options: PostgresNotificationListenerOptions;
  readonly #channels = new Map<string, JobAvailableNotifier>();
  /** Channels the current connection LISTENs on, or is about to. */
  readonly #listening = new Set<string>();
  #client: pg.Client | undefined;
  #connected = false;
  #reconnect: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: PostgresNotificationListenerOptions) {
    this.#options = options;
  }

  /** The hints of `name` (a channel a trigger notifies). */
  channel(name: string): PostgresChannelHints {
    if (!channelName.test(name)) throw new Error(`"${name}" is not a plain lower-case channel name`);
    return {
      subscribe: (listener) => this.#subscribe(name, listener),
      notifyLocally: () => this.#channels.get(name)?.notify(),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const notifier of this.#channels.values()) notifier.clear();
    clearTimeout(this.#reconnect);
    this.#reconnect = undefined;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #subscribe(name: string, listener: () => void): () => void {
    let notifier = this.#channels.get(name);
    if (notifier === undefined) {
      notifier = new JobAvailableNotifier();
      this.#channels.set(name, notifier);
    }
    const unsubscribe = notifier.subscribe(listener);
    const client = this.#client;
    if (client === undefined) {
      if (this.#reconnect === undefined) this.#connect();
    } else if (this.#connected) {
      this.#listenToNewChannels(client).catch((error: unknown) => this.#drop(client, error));
    }
    // Not yet connected: the connection listens to every channel subscribed by then.
    return unsubscribe;
  }

  #connect(): void {
    if (this.#closed) return;
    const client = new pg.Client(this.#options.connection);
    this.#client = client;
    this.#connected = false;
    this.#listening.clear();
    client.on('error', (error) => this.#drop(client, error));
    client.on('end', () => this.#drop(client, new Error('the LISTEN connection to PostgreSQL closed')));
    client.on('notification', (message) => this.#channels.get(message.channel)?.notify());
    client
      .connect()
      .then(() => {
        if (this.#client !== client) return;
        this.#connected = true;
        return this.#listenToNewChannels(client);
      })
      .catch((error: unknown) => this.#drop(client, error));
  }

  /** LISTENs on the subscribed channels this connection does not listen to yet, then wakes them. */
  async #listenToNewChannels(client: pg.Client): Promise<void> {
    const fresh = [...this.#channels.keys()].filter((name) => !this.#listening.has(name));
    // Marked first, so a subscription arriving during the awaits does not LISTEN twice.
    for (const name of fresh) this.#listening.add(name);
    for (const name of fresh) await client.query(`LISTEN ${name}`);
    // Whatever became ready before the LISTEN took effect was not announced on this connection.
    for (const name of fresh) this.#channels.get(name)?.notify();
  }

  /** Gives up on `client` (once: later errors of the same connection are ignored) and reconnects. */
  #drop(client: pg.Client, error: unknown): void {
    if (this.#client !== client || this.#closed) return;
    this.#options.onError?.(error instanceof Error ? error : new Error(String(error)));
    this.#client = undefined;
    this.#connected = false;
    this.#listening.clear();
    void client.end().catch(() => undefined);
    this.#reconnect = setTimeout(() => {
      this.#reconnect = undefined;
      this.#connect();
    }, this.#options.reconnectMs ?? 1000);
    this.#reconnect.unref();
  }
}
