import type { z } from 'zod';
import {
  ConnectionError,
  ConnectionTimeoutError,
  ReelgateError,
  RequestAbortedError,
  errorFromResponse,
} from './reelgate-error.ts';

/**
 * HTTP for the SDK: authentication, timeouts, the caller's AbortSignal and retries the way
 * openai-node does them (408 / 409 / 429 / 5xx and connection failures; `x-should-retry` decides
 * when the server sends it; `retry-after-ms` / `Retry-After` honoured up to a minute; otherwise
 * exponential backoff from 0.5 s to 8 s with up to 25 % jitter). Browser-safe: fetch only.
 */

export interface TransportOptions {
  /** Server base URL, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly maxRetries: number;
  /** Per attempt: until the whole body is read, or (for streams) until the headers arrive. */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  /** 0 ≤ x < 1, for jitter (tests pin it). */
  readonly random: () => number;
  /** Waits before a retry; rejects when the signal fires. */
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

export interface RequestOptions {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** A path under the base URL, or an absolute URL (signed output URLs). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON, or as multipart when it is a FormData. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal | undefined;
  /** False for requests that must never be sent twice. Default true. */
  readonly retry?: boolean;
  /** Send the API key (default true; signed file URLs need none). */
  readonly authenticate?: boolean;
}

type Outcome =
  | { readonly kind: 'response'; readonly response: Response; readonly text: string | undefined }
  | { readonly kind: 'failure'; readonly error: ReelgateError };

export class ApiTransport {
  readonly options: TransportOptions;

  constructor(options: TransportOptions) {
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  /** Sends the request and parses its JSON answer with `schema`; throws on any non-2xx. */
  async json<T>(request: RequestOptions, schema: z.ZodType<T>): Promise<T> {
    const { response, text } = await this.send(request, false);
    const parsed = schema.safeParse(text === undefined || text === '' ? null : safeJson(text));
    if (!parsed.success) {
      throw new ReelgateError(
        `unexpected response from ${request.method} ${request.path}: ${parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
          .join('; ')}`,
        { status: response.status, code: 'invalid_response', headers: response.headers },
      );
    }
    return parsed.data;
  }

  /** Sends the request and returns a 2xx response with its body unread (for streams and downloads). */
  async stream(request: RequestOptions): Promise<Response> {
    return (await this.send(request, true)).response;
  }

  private async send(request: RequestOptions, streaming: boolean) {
    const retryable = request.retry ?? true;
    for (let retriesDone = 0; ; retriesDone += 1) {
      const outcome = await this.attempt(request, streaming);
      const retriesLeft = retryable && retriesDone < this.options.maxRetries;
      if (outcome.kind === 'failure') {
        if (!retriesLeft || !(outcome.error instanceof ConnectionError)) throw outcome.error;
        await this.pause(retryDelayMs(retriesDone, undefined, this.options.random), request.signal);
        continue;
      }
      const { response, text } = outcome;
      if (response.ok) return { response, text };
      if (retriesLeft && shouldRetry(response)) {
        await response.body?.cancel().catch(() => undefined);
        await this.pause(retryDelayMs(retriesDone, response.headers, this.options.random), request.signal);
        continue;
      }
      const errorText = text ?? (await response.text().catch(() => ''));
      throw errorFromResponse(response.status, response.headers, safeJson(errorText));
    }
  }

  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.options.sleep(ms, signal);
    } catch (error) {
      throw new RequestAbortedError('the request was aborted', { code: 'aborted', cause: error });
    }
  }

  /** One attempt: a response (body read unless streaming and 2xx) or the failure to get one. */
  private async attempt(request: RequestOptions, streaming: boolean): Promise<Outcome> {
    const callerSignal = request.signal;
    // A function, because the signal changes under TypeScript's narrowing while fetch runs.
    const callerAborted = () => callerSignal?.aborted === true;
    if (callerAborted()) {
      return {
        kind: 'failure',
        error: new RequestAbortedError('the request was aborted', { code: 'aborted' }),
      };
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const forward = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', forward, { once: true });
    try {
      const response = await this.options.fetch(this.url(request), {
        method: request.method,
        headers: this.headers(request),
        ...bodyOf(request.body),
        signal: controller.signal,
      });
      // A stream's body outlives the timeout, which covers only the wait for its headers.
      if (streaming && response.ok) return { kind: 'response', response, text: undefined };
      return { kind: 'response', response, text: await response.text() };
    } catch (error) {
      if (callerAborted()) {
        return {
          kind: 'failure',
          error: new RequestAbortedError('the request was aborted', { code: 'aborted', cause: error }),
        };
      }
      if (timedOut) {
        return {
          kind: 'failure',
          error: new ConnectionTimeoutError(`no answer within ${this.options.timeoutMs} ms`, {
            code: 'timeout',
            cause: error,
          }),
        };
      }
      const detail = error instanceof Error ? (causeMessage(error) ?? error.message) : String(error);
      return {
        kind: 'failure',
        error: new ConnectionError(`could not reach ${this.options.baseUrl}: ${detail}`, {
          code: 'connection_failed',
          cause: error,
        }),
      };
    } finally {
      clearTimeout(timer);
      if (!streaming) callerSignal?.removeEventListener('abort', forward);
    }
  }

  private url(request: RequestOptions): string {
    const url = new URL(
      /^https?:\/\//.test(request.path) ? request.path : `${this.options.baseUrl}${request.path}`,
    );
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  private headers(request: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if ((request.authenticate ?? true) && this.options.apiKey !== undefined) {
      headers['authorization'] = `Bearer ${this.options.apiKey}`;
    }
    if (request.body !== undefined && !(request.body instanceof FormData)) {
      headers['content-type'] = 'application/json';
    }
    return headers;
  }
}

function bodyOf(body: unknown): { body?: string | FormData } {
  if (body === undefined) return {};
  return { body: body instanceof FormData ? body : JSON.stringify(body) };
}

/** openai-node's rule: the server's `x-should-retry` wins; else 408, 409, 429 and 5xx are retried. */
export function shouldRetry(response: Pick<Response, 'status' | 'headers'>): boolean {
  const hint = response.headers.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  const status = response.status;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How long to wait before retry number `retriesDone + 1`: what the server asked for
 * (`retry-after-ms`, else `Retry-After` in seconds or as an HTTP date) when that is under a
 * minute, else 0.5 s × 2^retriesDone capped at 8 s, minus up to 25 % jitter.
 */
export function retryDelayMs(
  retriesDone: number,
  headers: Headers | undefined,
  random: () => number,
  now: number = Date.now(),
): number {
  const asked = askedDelayMs(headers, now);
  if (asked !== undefined && asked >= 0 && asked < 60_000) return asked;
  const seconds = Math.min(0.5 * 2 ** retriesDone, 8);
  return seconds * (1 - random() * 0.25) * 1000;
}

function askedDelayMs(headers: Headers | undefined, now: number): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (!Number.isNaN(milliseconds)) return milliseconds;
  const value = headers?.get('retry-after');
  if (value === undefined || value === null) return undefined;
  const seconds = Number.parseFloat(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - now;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED …) is in `cause`. */
function causeMessage(error: Error): string | undefined {
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : undefined;
}

/** A sleep that an AbortSignal cuts short (rejecting). */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
