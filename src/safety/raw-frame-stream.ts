import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ErrorCode } from '../domain/app-error.ts';
import { AppError } from '../domain/app-error.ts';
import { abortReason } from '../media/run-ffmpeg.ts';

export interface RawFrameStreamOptions {
  /** Bytes of one raw frame on stdout: every `frameBytes` bytes are handed over as one frame. */
  readonly frameBytes: number;
  /** Called for each whole frame as soon as ffmpeg has written it (a copy the caller may keep). */
  readonly onFrame: (frame: Uint8Array) => void;
  /** Called for each complete line ffmpeg writes to stderr, as it comes. */
  readonly onStderrLine: (line: string) => void;
  /** Wall-clock limit; the process is killed with SIGKILL when it passes. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Code of the error a failed run rejects with (a file ffmpeg cannot decode). */
  readonly errorCode: ErrorCode;
}

const stderrTailBytes = 4096;

/**
 * Runs an ffmpeg that writes raw frames to stdout (`-f rawvideo pipe:1`) and hands each frame over
 * the moment it is complete, so the caller can work on the first frames while ffmpeg decodes the
 * rest; stderr is passed on line by line (e.g. `showinfo` reports). `run-ffmpeg.ts` collects
 * stdout as text, which binary frames are not — hence this small runner with the same rules:
 * `-nostdin -hide_banner` first, a timeout, abort kills at once, and the promise settles only once
 * the process has exited. A trailing partial frame is dropped.
 */
export function streamRawFrames(
  ffmpegPath: string,
  commandArguments: readonly string[],
  options: RawFrameStreamOptions,
): Promise<void> {
  const { signal } = options;
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  const tool = path.basename(ffmpegPath);

  return new Promise<void>((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-nostdin', '-hide_banner', ...commandArguments], {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let ending: 'timeout' | 'abort' | undefined;
    let spawnError: Error | undefined;
    const kill = (reason: NonNullable<typeof ending>) => {
      ending ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), options.timeoutMs);
    const onAbort = () => kill('abort');
    signal?.addEventListener('abort', onAbort, { once: true });

    let pending: Buffer = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      pending = pending.byteLength === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.byteLength >= options.frameBytes) {
        options.onFrame(new Uint8Array(pending.subarray(0, options.frameBytes)));
        pending = pending.subarray(options.frameBytes);
      }
    });

    let partialLine = '';
    let stderrTail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-stderrTailBytes);
      const lines = (partialLine + chunk).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) options.onStderrLine(line);
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (exitCode, exitSignal) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (partialLine !== '') options.onStderrLine(partialLine);
      const detail = stderrTail.trim().split('\n').slice(-6).join('\n').trim();
      const suffix = detail === '' ? '' : `: ${detail}`;
      if (spawnError !== undefined) {
        reject(
          new AppError(
            'engine_unavailable',
            `could not start ${tool} (${ffmpegPath}): ${spawnError.message}`,
            {
              cause: spawnError,
            },
          ),
        );
      } else if (ending === 'abort' && signal !== undefined) {
        reject(abortReason(signal));
      } else if (ending === 'timeout') {
        // Retryable: a timeout usually means a loaded host, not a bad file.
        reject(
          new AppError('engine_failed', `${tool} timed out after ${options.timeoutMs} ms${suffix}`, {
            retryable: true,
          }),
        );
      } else if (exitCode !== 0) {
        const how =
          exitCode === null ? `was killed by ${exitSignal ?? 'a signal'}` : `exited with code ${exitCode}`;
        reject(new AppError(options.errorCode, `${tool} ${how}${suffix}`));
      } else {
        resolve();
      }
    });
  });
}
