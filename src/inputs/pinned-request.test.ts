import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppError } from '../domain/app-error.ts';
import type { FetchTarget } from './fetch-target.ts';
import { sendPinnedRequest, type RequestControls } from './pinned-request.ts';

/** A raw TCP server that answers every request with a tiny 200 and counts the bytes it received. */
async function startServer(): Promise<{ port: number; received: () => number; close(): void }> {
  let received = 0;
  const server = net.createServer((socket) => {
    socket.on('data', (chunk) => {
      received += chunk.length;
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: () => server.close(),
  };
}

function controls(): RequestControls & { reasons: AppError[] } {
  const controller = new AbortController();
  const reasons: AppError[] = [];
  return {
    connectTimeoutMs: 2000,
    signal: controller.signal,
    reasons,
    abort(reason) {
      reasons.push(reason);
      controller.abort(reason);
    },
    idle: { restart: () => undefined },
  };
}

let close: (() => void) | undefined;
afterEach(() => close?.());

describe('sendPinnedRequest', () => {
  it('connects a host name to the checked address without asking DNS', async () => {
    const server = await startServer();
    close = server.close;
    // `.invalid` never resolves (RFC 6761): only the pinned lookup can have found the server.
    const target: FetchTarget = {
      url: new URL(`http://pinned.invalid:${server.port}/file`),
      hostname: 'pinned.invalid',
      addresses: [{ address: '127.0.0.1', family: 4 }],
    };
    const context = controls();
    const response = await sendPinnedRequest(target, 'URL', context);
    expect(response.statusCode).toBe(200);
    response.resume();
    expect(context.reasons).toEqual([]);
  });

  it('refuses a peer that is not a checked address before sending a single byte', async () => {
    const server = await startServer();
    close = server.close;
    // The URL's literal connects to 127.0.0.1, which the target does not list as checked.
    const target: FetchTarget = {
      url: new URL(`http://127.0.0.1:${server.port}/file`),
      hostname: '127.0.0.1',
      addresses: [{ address: '127.0.0.9', family: 4 }],
    };
    const context = controls();
    await expect(sendPinnedRequest(target, 'URL', context)).rejects.toThrow();
    expect(context.reasons.map((reason) => [reason.code, reason.message])).toEqual([
      [
        'input_forbidden',
        'URL may not be fetched: connected to 127.0.0.1, which is not an address that was checked',
      ],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.received()).toBe(0);
  });
});
