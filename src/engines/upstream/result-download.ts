import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../domain/app-error.ts';
import { networkReason } from './upstream-http.ts';

/**
 * Streams a provider's result video into the attempt's work folder, so users get Reelgate's URL
 * and not the provider's short-lived one. The provider URL is presigned: no credentials are sent
 * with it. Every failure is retryable — the next attempt resumes from the checkpoint, polls the
 * finished task again (a fresh URL where the provider re-signs) and downloads again.
 */
export interface DownloadOptions {
  readonly signal: AbortSignal;
  /** Longest wait for the headers and between two chunks of the body. */
  readonly idleTimeoutMs: number;
  /** Refuse anything bigger: no generated clip is near this. */
  readonly maxBytes: number;
  readonly fetch?: typeof fetch;
}

/** 2 GiB: a 15 s 1080p clip is tens of megabytes. */
export const defaultMaxResultBytes = 2 * 1024 * 1024 * 1024;

export async function downloadResult(
  label: string,
  url: string,
  file: string,
  options: DownloadOptions,
): Promise<number> {
  const failed = (detail: string, cause?: unknown) =>
    new AppError('engine_failed', `could not download the result from ${label}: ${detail}`, {
      retryable: true,
      ...(cause === undefined ? {} : { cause }),
    });
  let target: URL;
  try {
    target = new URL(url);
  } catch (error) {
    throw failed(`"${url.slice(0, 200)}" is not a URL`, error);
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw failed(`only http(s) result URLs are fetched, got ${target.protocol}`);
  }

  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => idle.abort(failed(`no data for ${options.idleTimeoutMs} ms`)),
      options.idleTimeoutMs,
    );
  };
  const signal = AbortSignal.any([options.signal, idle.signal]);
  let bytes = 0;
  arm();
  try {
    const response = await (options.fetch ?? globalThis.fetch)(target, { signal, redirect: 'follow' });
    if (!response.ok || response.body === null) throw failed(`HTTP ${response.status}`);
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > options.maxBytes) {
          callback(failed(`the file is larger than ${options.maxBytes} bytes`));
          return;
        }
        arm();
        callback(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as never), meter, createWriteStream(file), { signal });
    return bytes;
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (idle.signal.aborted) throw idle.signal.reason;
    if (error instanceof AppError) throw error;
    throw failed(networkReason(error), error);
  } finally {
    clearTimeout(timer);
  }
}
