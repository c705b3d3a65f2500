import { lookup as dnsLookup } from 'node:dns';
import { open, rm } from 'node:fs/promises';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { AppError } from '../domain/app-error.ts';
import type { AllowList } from './allow-list.ts';
import { resolveFetchTarget } from './fetch-target.ts';
import { fetchTimedOut, sendPinnedRequest, type RequestControls } from './pinned-request.ts';

/** How one fetch may behave. Limits and trust come from configuration; the rest has safe defaults. */
export interface SafeFetchOptions {
  /** Hosts, addresses and ranges that may be fetched whatever their class, and over plain http. */
  readonly allow: AllowList;
  /** Whether plain http is accepted for hosts that are not on the allow-list. */
  readonly allowHttp: boolean;
  /** The most bytes the body may have; more is refused, up front when Content-Length says so. */
  readonly maxBytes: number;
  /** Time allowed to establish each TCP connection. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Time allowed for the whole fetch, redirects and body included. Default 30 000 ms. */
  readonly totalTimeoutMs?: number;
  /** Longest silence after connecting, before the headers and between body chunks. Default 10 000 ms. */
  readonly idleTimeoutMs?: number;
  /** Redirects followed before giving up. Default 3. */
  readonly maxRedirects?: number;
  /**
   * Aborts the fetch; the partial file is removed and the promise rejects with the signal's reason
   * when that is an AppError, else with `cancelled`.
   */
  readonly signal?: AbortSignal;
  /** DNS resolution, `dns.lookup` unless a test injects another. Called once per hop. */
  readonly lookup?: LookupFunction;
}

/** What a completed fetch wrote. */
export interface SafeFetchResult {
  /** Bytes written to the destination file. */
  readonly bytes: number;
  /** The URL the body finally came from, after redirects. */
  readonly finalUrl: string;
  /** The Content-Type the server claimed; informative only, never trusted to decide a file's type. */
  readonly contentType: string | undefined;
}

interface FetchContext extends RequestControls {
  readonly options: SafeFetchOptions;
  readonly idle: { restart(): void; stop(): void };
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads a user-supplied URL into a file without letting the URL reach anything private.
 * Every hop (the URL and each redirect) is checked before connecting: https only (or http when
 * allowed), no credentials, and every address its host resolves to must be public or on the
 * allow-list. The connection is pinned to those checked addresses and its peer verified after
 * connect, so a DNS answer that changes in between cannot redirect it. The body is streamed to
 * `destination`, never buffered; on any failure the partial file is removed.
 *
 * @throws AppError `input_forbidden` (the URL or a redirect may not be fetched, too many
 *   redirects), `input_unreachable` (DNS, connection, timeout, non-2xx status), `input_rejected`
 *   (more than `maxBytes`) or `cancelled` (the signal fired). Messages do not name the field:
 *   the caller adds it.
 */
export async function safeFetchToFile(
  url: string,
  destination: string,
  options: SafeFetchOptions,
): Promise<SafeFetchResult> {
  const controller = new AbortController();
  const abort = (reason: AppError): void => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const totalTimeoutMs = options.totalTimeoutMs ?? 30_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const totalTimer = setTimeout(
    () => abort(fetchTimedOut(`timed out after ${totalTimeoutMs} ms`)),
    totalTimeoutMs,
  );
  const idle = restartableTimer(idleTimeoutMs, () =>
    abort(fetchTimedOut(`timed out after ${idleTimeoutMs} ms without receiving data`)),
  );
  const onCallerAbort = (): void => {
    const reason: unknown = options.signal?.reason;
    abort(
      reason instanceof AppError
        ? reason
        : new AppError('cancelled', 'URL fetch was cancelled', { cause: reason }),
    );
  };
  if (options.signal?.aborted === true) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  const context: FetchContext = {
    options,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    signal: controller.signal,
    abort,
    idle,
  };
  try {
    return await followRedirects(url, destination, context);
  } finally {
    clearTimeout(totalTimer);
    idle.stop();
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

async function followRedirects(
  initialUrl: string,
  destination: string,
  context: FetchContext,
): Promise<SafeFetchResult> {
  const { options } = context;
  const maxRedirects = options.maxRedirects ?? 3;
  let url = parseUrl(initialUrl, undefined, 'URL');
  for (let hop = 0; ; hop += 1) {
    const subject = hop === 0 ? 'URL' : `redirect ${hop} (to ${describeOrigin(url)})`;
    try {
      const target = await resolveFetchTarget(url, subject, {
        allow: options.allow,
        allowHttp: options.allowHttp,
        lookup: options.lookup ?? dnsLookup,
        signal: context.signal,
      });
      const response = await sendPinnedRequest(target, subject, context);
      const status = response.statusCode ?? 0;
      if (redirectStatuses.has(status)) {
        response.destroy();
        if (hop >= maxRedirects) {
          throw new AppError(
            'input_forbidden',
            `URL may not be fetched: more than ${maxRedirects} redirects`,
          );
        }
        const location = response.headers.location;
        if (location === undefined) {
          throw new AppError(
            'input_unreachable',
            `${subject} could not be fetched: HTTP ${status} without a Location`,
          );
        }
        url = parseUrl(location, url, `${subject} redirect`);
        continue;
      }
      if (status < 200 || status > 299) {
        response.destroy();
        const retryable = status >= 500 || status === 408 || status === 429;
        const message =
          `${subject} could not be fetched: HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim();
        throw new AppError('input_unreachable', message, { retryable });
      }
      const declared = Number(response.headers['content-length'] ?? Number.NaN);
      if (declared > options.maxBytes) {
        response.destroy();
        throw tooLarge(`Content-Length ${declared} bytes exceeds the ${formatBytes(options.maxBytes)} limit`);
      }
      const bytes = await writeBody(response, destination, context);
      return { bytes, finalUrl: url.href, contentType: response.headers['content-type'] };
    } catch (error) {
      throw toFetchError(error, subject, context.signal);
    }
  }
}

/**
 * Streams the body into the file chunk by chunk, awaiting each write (backpressure), so memory
 * stays flat whatever the size. Removes the file when anything goes wrong.
 */
async function writeBody(
  response: IncomingMessage,
  destination: string,
  context: FetchContext,
): Promise<number> {
  const { maxBytes } = context.options;
  const file = await open(destination, 'w').catch((error: unknown) => {
    throw diskError(error);
  });
  // Timeouts and the caller's abort end the body too, with their own reason.
  const onAbort = (): void => {
    response.destroy(context.signal.reason instanceof Error ? context.signal.reason : undefined);
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  let bytes = 0;
  try {
    if (context.signal.aborted) onAbort();
    for await (const chunk of response as AsyncIterable<Buffer>) {
      context.idle.restart();
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge(`the body exceeds the ${formatBytes(maxBytes)} limit`);
      await file.write(chunk).catch((error: unknown) => {
        throw diskError(error);
      });
    }
    await file.close().catch((error: unknown) => {
      throw diskError(error);
    });
    return bytes;
  } catch (error) {
    response.destroy();
    await file.close().catch(() => undefined);
    await rm(destination, { force: true });
    throw error;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
  }
}

/** A disk problem is ours, not the URL's: report it as such rather than as unreachable. */
function diskError(error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal_error', `could not write the download: ${message}`, { cause: error });
}

function parseUrl(text: string, base: URL | undefined, subject: string): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new AppError('input_forbidden', `${subject} is not a valid absolute URL`);
  }
}

/** Scheme and host only: paths and queries may carry signatures that must not reach logs. */
function describeOrigin(url: URL): string {
  return url.host === '' ? url.protocol : `${url.protocol}//${url.host}`;
}

/** The error to report: our own AppErrors as they are, the abort reason, else a connection failure. */
function toFetchError(error: unknown, subject: string, signal: AbortSignal): AppError {
  if (error instanceof AppError) return error;
  if (signal.aborted && signal.reason instanceof AppError) return signal.reason;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  return new AppError(
    'input_unreachable',
    `${subject} could not be fetched: the connection failed (${detail})`,
    {
      retryable: true,
      cause: error,
    },
  );
}

function tooLarge(detail: string): AppError {
  return new AppError('input_rejected', `URL is too large: ${detail}`);
}

function formatBytes(bytes: number): string {
  const mebibyte = 1024 * 1024;
  if (bytes < mebibyte) return `${bytes}-byte`;
  return `${Number((bytes / mebibyte).toFixed(1))} MiB`;
}

function restartableTimer(milliseconds: number, onFire: () => void): { restart(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  return {
    restart() {
      if (stopped) return;
      if (timer === undefined) timer = setTimeout(onFire, milliseconds);
      else timer.refresh();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
