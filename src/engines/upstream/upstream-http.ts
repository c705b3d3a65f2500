/**
 * The HTTP client every upstream engine uses to talk to its provider: bearer auth, JSON bodies,
 * a timeout on every request, and a clear split between "the provider answered" (any status,
 * body kept for error mapping) and "the provider could not be reached" (connection refused, DNS,
 * timeout), because the router may fall over on the second kind only before acceptance.
 */

/** What a provider answered. `body` is the parsed JSON, or undefined when it was not JSON. */
export interface UpstreamResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** The provider could not be reached or did not answer in time; nothing is known to have happened. */
export class UpstreamUnreachable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamUnreachable';
  }
}

export interface UpstreamHttpOptions {
  /** Base URL without a trailing slash, e.g. `https://ark.ap-southeast.bytepluses.com/api/v3`. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …`; never logged, never put in an error message. */
  readonly apiKey: string;
  readonly timeoutMs: number;
  /** Injected in tests; the global (undici) fetch otherwise. */
  readonly fetch?: typeof fetch;
}

export interface UpstreamRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path below the base URL, starting with `/`. */
  readonly path: string;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

export class UpstreamHttp {
  private readonly options: UpstreamHttpOptions;
  private readonly fetch: typeof fetch;

  constructor(options: UpstreamHttpOptions) {
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** Host and path of the provider, for log lines and error messages (never the key). */
  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /**
   * Sends one request. Resolves with whatever the provider answered; rejects with
   * UpstreamUnreachable when it could not be reached in time, or with the signal's reason when the
   * caller aborted (cancellation and shutdown are not provider failures).
   */
  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout]);
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.options.apiKey}`,
      ...request.headers,
    };
    if (request.json !== undefined) headers['content-type'] = 'application/json';
    const target = `${this.options.baseUrl}${request.path}`;
    try {
      const response = await this.fetch(target, {
        method: request.method,
        headers,
        redirect: 'error',
        signal,
        ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
      });
      const text = await response.text();
      return { status: response.status, body: parseJson(text), text };
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason;
      if (timeout.aborted) {
        throw new UpstreamUnreachable(
          `${request.method} ${target} got no answer within ${this.options.timeoutMs} ms`,
          { cause: error },
        );
      }
      throw new UpstreamUnreachable(`${request.method} ${target} failed: ${networkReason(error)}`, {
        cause: error,
      });
    }
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The useful part of a fetch failure: undici hides the system error (ECONNREFUSED…) in `cause`. */
export function networkReason(error: unknown): string {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') {
    const known: Record<string, string> = {
      ECONNREFUSED: 'connection refused',
      ENOTFOUND: 'host not found (DNS)',
      EAI_AGAIN: 'host lookup failed (DNS)',
      ECONNRESET: 'connection reset',
      ETIMEDOUT: 'connection timed out',
      UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    };
    return known[cause.code] ?? cause.code;
  }
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
