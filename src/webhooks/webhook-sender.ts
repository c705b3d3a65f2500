import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { AppError } from '../domain/app-error.ts';
import type { AllowList } from '../inputs/allow-list.ts';
import { resolveFetchTarget } from '../inputs/fetch-target.ts';
import { sendPinnedRequest } from '../inputs/pinned-request.ts';
import type { AttemptOutcome } from './retry-schedule.ts';
import { parseRetryAfter } from './retry-schedule.ts';

/** How deliveries reach receivers: the same address guard as media inputs, and a hard timeout. */
export interface WebhookSenderOptions {
  readonly allow: AllowList;
  readonly allowHttp: boolean;
  /** The whole attempt, connect to last response byte read (default 15 000 ms). */
  readonly timeoutMs: number;
  readonly lookup?: LookupFunction;
  readonly now?: () => number;
}

/** What one POST saw, for the attempt log and the retry decision. */
export interface SentAttempt {
  readonly outcome: AttemptOutcome;
  readonly statusCode: number | null;
  /** At most the first 1 KiB of the response body, as text. */
  readonly responseBody: string | null;
  readonly responseTimeMs: number;
  readonly errorMessage: string | null;
}

const responseBodyLimit = 1024;

/**
 * POSTs one signed body to a receiver. The destination goes through the media inputs' address
 * guard (https only unless allowed, no private or loopback addresses unless on the allow-list,
 * pinned to the checked addresses); a redirect is reported as the 3xx it is and never followed.
 * Never throws: every failure becomes an outcome the retry policy can judge.
 */
export async function sendWebhook(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  options: WebhookSenderOptions,
): Promise<SentAttempt> {
  const now = options.now ?? Date.now;
  const started = now();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  const elapsed = (): number => Math.max(0, now() - started);
  try {
    let target;
    try {
      target = await resolveFetchTarget(new URL(url), 'callback URL', {
        allow: options.allow,
        allowHttp: options.allowHttp,
        lookup: options.lookup ?? dnsLookup,
        signal: controller.signal,
      });
    } catch (error) {
      // A refused destination stays refused; a DNS failure may be temporary.
      const final = error instanceof AppError && error.code === 'input_forbidden';
      return failed(messageOf(error, controller.signal), final, elapsed());
    }
    const response = await sendPinnedRequest(
      target,
      'callback URL',
      {
        connectTimeoutMs: options.timeoutMs,
        signal: controller.signal,
        abort: (reason) => controller.abort(reason),
        idle: { restart: () => undefined },
      },
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
        body,
      },
    );
    const statusCode = response.statusCode ?? 0;
    const responseBody = await readStart(response);
    const retryAfterSeconds = parseRetryAfter(headerText(response.headers['retry-after']), now());
    return {
      outcome: {
        kind: 'response',
        statusCode,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
      statusCode,
      responseBody,
      responseTimeMs: elapsed(),
      errorMessage: null,
    };
  } catch (error) {
    const final = error instanceof AppError && error.code === 'input_forbidden';
    return failed(messageOf(error, controller.signal), final, elapsed());
  } finally {
    clearTimeout(timer);
  }
}

function failed(message: string, final: boolean, responseTimeMs: number): SentAttempt {
  return {
    outcome: { kind: 'error', message, final },
    statusCode: null,
    responseBody: null,
    responseTimeMs,
    errorMessage: message,
  };
}

function messageOf(error: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof Error) return signal.reason.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined ? error.message : `${error.message} (${code})`;
  }
  return String(error);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads at most the first KiB of a response and discards the rest. */
async function readStart(response: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of response) {
      if (length < responseBodyLimit) chunks.push(chunk);
      length += chunk.length;
      if (length >= responseBodyLimit) break;
    }
  } catch {
    // A body cut off after the status line still counts as the receiver's answer.
  } finally {
    response.destroy();
  }
  return Buffer.concat(chunks).subarray(0, responseBodyLimit).toString('utf8');
}
