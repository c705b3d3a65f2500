import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got: headers and the exact body bytes. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** The status the receiver answered. */
  readonly answered: number;
  readonly at: number;
}

/**
 * What the receiver answers: a status, optional headers and an optional delay before answering
 * (the request is recorded when it arrives, so a sender that dies while waiting still counts).
 */
export type Responder = (request: { path: string; index: number; body: Buffer }) => {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
};

/**
 * A real HTTP receiver on loopback that records every request and answers as the test decides
 * (fail three times, redirect, 410, …). `listen(port)` can bring it up on a port chosen earlier,
 * so a test can keep a receiver down and start it later.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  #responder: Responder;
  #server: http.Server | undefined;
  #waiters: (() => void)[] = [];
  port = 0;

  constructor(responder: Responder = () => ({ status: 200 })) {
    this.#responder = responder;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async listen(port = 0): Promise<this> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const body = Buffer.concat(chunks);
        const answer = this.#responder({ path, index: this.received.length, body });
        this.received.push({ path, headers: request.headers, body, answered: answer.status, at: Date.now() });
        const respond = () =>
          response.writeHead(answer.status, answer.headers).end(`answered ${answer.status}`);
        if (answer.delayMs === undefined) respond();
        else setTimeout(respond, answer.delayMs);
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Resolves once `count` requests have arrived (or rejects after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 30_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} webhook requests, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  /** The request bodies parsed as JSON. */
  payloads(): Record<string, unknown>[] {
    return this.received.map((entry) => JSON.parse(entry.body.toString('utf8')) as Record<string, unknown>);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A loopback port that is free now (for a receiver the test starts later). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
