import type { Logger } from 'pino';
import { AppError } from '../../domain/app-error.ts';
import { ComfyUiClient } from './comfyui-client.ts';

/** One configured server: its client, whether its last health check passed, prompts in flight. */
export interface ComfyUiServer {
  readonly client: ComfyUiClient;
  healthy: boolean;
  /** Whether a health check has answered yet. */
  checked: boolean;
  inFlight: number;
  /** Model files by folder, as `/models/{folder}` last listed them (preflight cache). */
  readonly models: Map<string, { files: ReadonlySet<string>; at: number }>;
}

/** A slot held on one server; release it exactly once. */
export interface ServerLease {
  readonly server: ComfyUiServer;
  release(): void;
}

export interface ServerPoolOptions {
  readonly urls: readonly string[];
  /** Prompts one server runs at a time from this process (ComfyUI itself runs one). */
  readonly slotsPerServer: number;
  readonly healthIntervalMs: number;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
}

/**
 * The ComfyUI servers of this worker. A health check (`GET /system_stats`) runs on every server
 * at an interval; a server that fails it is taken out of the choice, and put back when it answers
 * again. A job goes to the healthy server with the most free slots; when every healthy server is
 * full it waits for a slot; when none is healthy the engine is unavailable (retryable).
 */
export class ComfyUiServerPool {
  readonly servers: readonly ComfyUiServer[];
  private readonly options: ServerPoolOptions;
  private readonly waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private firstCheck: Promise<void> | undefined;

  constructor(options: ServerPoolOptions) {
    this.options = options;
    this.servers = options.urls.map((url) => ({
      client: new ComfyUiClient(url, options.fetch === undefined ? {} : { fetch: options.fetch }),
      healthy: false,
      checked: false,
      inFlight: 0,
      models: new Map(),
    }));
  }

  /** Starts the periodic health checks (the timer does not keep the process alive). */
  start(): void {
    if (this.timer !== undefined) return;
    this.firstCheck = this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), this.options.healthIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Checks every server once; logs each change of health. */
  async checkAll(): Promise<void> {
    await Promise.all(this.servers.map((server) => this.check(server)));
  }

  /** A slot on the best healthy server, waiting while all are busy (until `signal` aborts). */
  async acquire(signal: AbortSignal): Promise<ServerLease> {
    this.start();
    await this.firstCheck;
    for (;;) {
      signal.throwIfAborted();
      const healthy = this.servers.filter((server) => server.healthy);
      if (healthy.length === 0) {
        throw new AppError(
          'engine_unavailable',
          `no healthy ComfyUI server (${this.servers.map((server) => server.client.url).join(', ')})`,
          { retryable: true },
        );
      }
      const free = healthy
        .filter((server) => server.inFlight < this.options.slotsPerServer)
        .sort((a, b) => a.inFlight - b.inFlight)[0];
      if (free !== undefined) return this.lease(free);
      await this.slotFreed(signal);
    }
  }

  /** A slot on a named server, healthy or not: a resumed prompt lives where it was submitted. */
  attach(url: string): ServerLease | undefined {
    const server = this.servers.find((candidate) => candidate.client.url === url.replace(/\/+$/, ''));
    return server === undefined ? undefined : this.lease(server);
  }

  /** Takes a server out of the choice at once (e.g. connection refused), until its next good check. */
  markUnhealthy(server: ComfyUiServer, reason: string): void {
    if (server.healthy)
      this.options.logger.warn({ server: server.client.url, reason }, 'ComfyUI server taken out');
    server.healthy = false;
  }

  private lease(server: ComfyUiServer): ServerLease {
    server.inFlight += 1;
    let released = false;
    return {
      server,
      release: () => {
        if (released) return;
        released = true;
        server.inFlight -= 1;
        for (const wake of this.waiters) wake();
      },
    };
  }

  private async check(server: ComfyUiServer): Promise<void> {
    let healthy = true;
    let reason = '';
    try {
      await server.client.systemStats();
    } catch (error) {
      healthy = false;
      reason = error instanceof Error ? error.message : String(error);
    }
    if (healthy !== server.healthy || !server.checked) {
      const log = this.options.logger;
      if (healthy) log.info({ server: server.client.url }, 'ComfyUI server healthy');
      else log.warn({ server: server.client.url, reason }, 'ComfyUI server failed its health check');
    }
    server.healthy = healthy;
    server.checked = true;
    if (healthy) for (const wake of this.waiters) wake();
  }

  /** Resolves when a slot frees, a server turns healthy, or after a health interval. */
  private slotFreed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        this.waiters.delete(done);
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
      };
      const done = () => {
        cleanup();
        resolve();
      };
      const aborted = () => {
        cleanup();
        reject(signal.reason as Error);
      };
      const timer = setTimeout(done, this.options.healthIntervalMs);
      this.waiters.add(done);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }
}
