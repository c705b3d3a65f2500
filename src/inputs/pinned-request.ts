import type { LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { AppError } from '../domain/app-error.ts';
import type { FetchTarget } from './fetch-target.ts';
import { canonicalAddress } from './ip-address.ts';

/** What one request needs from the fetch it belongs to. */
export interface RequestControls {
  /** Time allowed to establish the TCP connection. */
  readonly connectTimeoutMs: number;
  /** Fires when the whole fetch ends early (timeout, caller abort); the request is destroyed. */
  readonly signal: AbortSignal;
  /** Ends the whole fetch with this reason. */
  readonly abort: (reason: AppError) => void;
  /** The silence watchdog, restarted on every sign of progress. */
  readonly idle: { restart(): void };
}

/** A request other than the default bodiless GET (webhook deliveries POST a signed body). */
export interface PinnedRequestMessage {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

const defaultMessage: PinnedRequestMessage = {
  method: 'GET',
  headers: { 'user-agent': 'Reelgate', accept: '*/*', 'accept-encoding': 'identity' },
};

/**
 * Sends a request (a GET unless `message` says otherwise) to a checked target and resolves with the response once its headers arrive. The
 * connection goes only to the target's checked addresses (DNS is not asked again) over a fresh
 * socket, and the socket's peer is verified on connect before any request byte is written.
 *
 * Rejects with the request's own error; a connect timeout or a wrong peer ends the whole fetch
 * through `context.abort` (which destroys the request through `context.signal`).
 *
 * @param subject how the URL is named in messages.
 */
export function sendPinnedRequest(
  target: FetchTarget,
  subject: string,
  context: RequestControls,
  message: PinnedRequestMessage = defaultMessage,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const transport = target.url.protocol === 'https:' ? https : http;
    const request = transport.request(target.url, {
      method: message.method,
      // A fresh connection per request: a pooled socket would skip the checks below.
      agent: false,
      lookup: pinnedLookup(target.addresses),
      signal: context.signal,
      headers: message.headers,
    });
    const connectTimer = setTimeout(() => {
      context.abort(
        fetchTimedOut(`timed out after ${context.connectTimeoutMs} ms connecting to ${target.url.host}`),
      );
    }, context.connectTimeoutMs);
    // Node emits 'socket' before it flushes the request, so this 'connect' listener runs before
    // any request byte is written: a peer that fails the check never receives the request.
    request.once('socket', (socket: Socket) => {
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        const problem = unexpectedPeer(socket, target, subject);
        if (problem === undefined) context.idle.restart();
        else context.abort(problem);
      });
    });
    request.once('response', (response) => {
      clearTimeout(connectTimer);
      context.idle.restart();
      // Until the body is read, a socket error must not go unhandled; the reader sees it anyway.
      response.on('error', () => undefined);
      resolve(response);
    });
    request.on('error', (error) => {
      clearTimeout(connectTimer);
      reject(error);
    });
    request.once('close', () => clearTimeout(connectTimer));
    request.end(message.body);
  });
}

/** A lookup for http.request that answers only with addresses already checked, never asking DNS again. */
function pinnedLookup(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    const family =
      lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
    const matching = addresses.filter((entry) => !family || entry.family === family);
    // dns.lookup never calls back synchronously and net relies on that.
    process.nextTick(() => {
      const [first] = matching;
      if (first === undefined) {
        callback(Object.assign(new Error('no checked address of that family'), { code: 'ENOTFOUND' }), '', 0);
      } else if (lookupOptions.all === true) {
        callback(null, matching);
      } else {
        callback(null, first.address, first.family);
      }
    });
  };
}

/** A refusal when the socket's peer is not one of the checked addresses (defence in depth). */
function unexpectedPeer(socket: Socket, target: FetchTarget, subject: string): AppError | undefined {
  const remote = socket.remoteAddress;
  const peer = remote === undefined ? undefined : canonicalAddress(remote);
  if (peer !== undefined && target.addresses.some(({ address }) => canonicalAddress(address) === peer)) {
    return undefined;
  }
  const peerName = remote ?? 'an unknown address';
  return new AppError(
    'input_forbidden',
    `${subject} may not be fetched: connected to ${peerName}, which is not an address that was checked`,
  );
}

/** A timeout of the fetch as a whole; timeouts are worth retrying. */
export function fetchTimedOut(detail: string): AppError {
  return new AppError('input_unreachable', `URL could not be fetched: ${detail}`, { retryable: true });
}
