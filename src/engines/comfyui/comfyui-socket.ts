import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { SocketEvent } from './comfyui-protocol.ts';
import { parseSocketEvent } from './comfyui-protocol.ts';

/** What a prompt's watcher hears: its own events, and every (re)connection of the socket. */
export interface SocketListener {
  onEvent(event: SocketEvent): void;
  /** The socket (re)opened: events may have been missed, so reconcile through HTTP. */
  onOpen(): void;
}

/** How long an idle socket (no prompt listening) stays open before it is closed. */
const idleCloseMs = 2000;
const maxBackoffMs = 10_000;

/**
 * One long-lived `/ws?clientId=` connection to one server (reference §2, pitfall 3): a fixed
 * client id, events routed to the prompt they name, reconnection with backoff. It closes when no
 * prompt has listened for a moment, so an idle worker holds no connection open.
 */
export class ComfyUiSocket {
  private socket: WebSocket | undefined;
  private readonly listeners = new Map<string, Set<SocketListener>>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private opened: Promise<void> | undefined;

  constructor(
    readonly serverUrl: string,
    readonly clientId: string,
    private readonly logger: Logger,
  ) {}

  /** Listens for one prompt's events; returns the function that stops listening. */
  listen(promptId: string, listener: SocketListener): () => void {
    clearTimeout(this.idleTimer);
    const set = this.listeners.get(promptId) ?? new Set();
    set.add(listener);
    this.listeners.set(promptId, set);
    if (this.socket === undefined) this.connect();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(promptId);
      if (this.listeners.size === 0) {
        this.idleTimer = setTimeout(() => this.close(), idleCloseMs);
        this.idleTimer.unref();
      }
    };
  }

  /** Resolves once the socket is open, or after `timeoutMs` (polling covers a socket that never opens). */
  async ready(timeoutMs: number): Promise<void> {
    if (this.opened === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.opened,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  }

  /** Drops the connection and opens a new one (after a stall). ComfyUI replaces the old socket. */
  reconnect(): void {
    if (this.listeners.size === 0) return;
    this.drop();
    this.connect();
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.listeners.clear();
    this.drop();
  }

  private connect(): void {
    clearTimeout(this.reconnectTimer);
    const url = new URL(`${this.serverUrl.replace(/^http/, 'ws')}/ws`);
    url.searchParams.set('clientId', this.clientId);
    const socket = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.socket = socket;
    this.opened = new Promise((resolve) => socket.once('open', () => resolve()));
    socket.on('open', () => {
      this.failures = 0;
      for (const set of this.listeners.values()) for (const listener of set) listener.onOpen();
    });
    socket.on('message', (data, isBinary) => {
      // Binary frames are previews; the engine shows none.
      if (isBinary) return;
      const event = parseSocketEvent(data.toString());
      const promptId = event?.data.prompt_id;
      // `executing` without a prompt id (sent on reconnect) cannot be attributed; HTTP reconciles.
      if (event === undefined || promptId === undefined) return;
      for (const listener of this.listeners.get(promptId) ?? []) listener.onEvent(event);
    });
    socket.on('error', (error) =>
      this.logger.debug({ err: error, server: this.serverUrl }, 'ComfyUI socket error'),
    );
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.listeners.size === 0) return;
      this.failures += 1;
      const delay = Math.min(maxBackoffMs, 250 * 2 ** Math.min(this.failures, 6));
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
      this.reconnectTimer.unref();
    });
  }

  private drop(): void {
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.opened = undefined;
    if (socket !== undefined) {
      socket.removeAllListeners('open');
      socket.on('error', () => undefined);
      socket.terminate();
    }
  }
}

/** The sockets of this process, one per server and client id, shared by every prompt on them. */
export class SocketHub {
  private readonly sockets = new Map<string, ComfyUiSocket>();

  constructor(private readonly logger: Logger) {}

  socket(serverUrl: string, clientId: string): ComfyUiSocket {
    const key = `${serverUrl} ${clientId}`;
    let socket = this.sockets.get(key);
    if (socket === undefined) {
      socket = new ComfyUiSocket(serverUrl, clientId, this.logger);
      this.sockets.set(key, socket);
    }
    return socket;
  }
}
