import { spawn } from 'node:child_process';
import path from 'node:path';
import { AppError, type ErrorCode } from '../domain/app-error.ts';
import { createProgressParser, type FfmpegProgress, type ProgressExpectation } from './ffmpeg-progress.ts';

/**
 * The protocols an ffmpeg or ffprobe may open when it reads a file a client sent. A media file can
 * name other resources (HLS playlists, concat lists, `tee`); without a whitelist ffmpeg would
 * follow them over http, tcp, or to any local path. Pass it as an input option
 * (`-protocol_whitelist file,pipe` before that `-i`) on every untrusted input.
 */
export const untrustedProtocolWhitelist = 'file,pipe';

/** How one ffmpeg or ffprobe run is bounded and observed. */
export interface MediaToolRunOptions {
  /** Wall-clock limit; the process is killed with SIGKILL when it passes. */
  readonly timeoutMs: number;
  /** Aborting kills the process at once; the run then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Error code for a failed run; `engine_failed` unless the caller knows better. */
  readonly errorCode?: ErrorCode | undefined;
  /** Bytes of stderr kept for the error message. */
  readonly stderrTailBytes?: number | undefined;
}

/** Options of an ffmpeg run; `onProgress` switches on `-progress pipe:1`. */
export interface FfmpegRunOptions extends MediaToolRunOptions {
  readonly onProgress?: ((progress: FfmpegProgress) => void) | undefined;
  /** What the run will write, so progress can be a fraction. */
  readonly expected?: ProgressExpectation | undefined;
}

/** What a successful run left behind. */
export interface MediaToolResult {
  /** Everything the tool wrote to stdout (empty for an ffmpeg run that reports progress there). */
  readonly stdout: string;
  /** The last `stderrTailBytes` of stderr. */
  readonly stderrTail: string;
  readonly elapsedMs: number;
}

const defaultStderrTailBytes = 4096;
/** ffprobe JSON of even a many-stream file is a few kilobytes; more than this is not a probe. */
const maximumStdoutBytes = 8 * 1024 * 1024;

/**
 * Runs ffmpeg. `-nostdin -hide_banner` always come first: ffmpeg must never wait on a terminal,
 * and the banner would only push the useful lines out of the stderr tail. For files a client
 * sent, put `-protocol_whitelist file,pipe` ({@link untrustedProtocolWhitelist}) before their
 * `-i`. Rejects with an AppError on a bad exit or timeout, and with the abort reason on abort;
 * in every case the process has exited before the promise settles.
 */
export function runFfmpeg(
  ffmpegPath: string,
  commandArguments: readonly string[],
  options: FfmpegRunOptions,
): Promise<MediaToolResult> {
  const { onProgress } = options;
  const progressArguments = onProgress === undefined ? [] : ['-progress', 'pipe:1', '-nostats'];
  const onStdout =
    onProgress === undefined ? undefined : createProgressParser(options.expected ?? {}, onProgress);
  return runMediaTool(
    ffmpegPath,
    ['-nostdin', '-hide_banner', ...progressArguments, ...commandArguments],
    options,
    onStdout,
  );
}

/**
 * Runs ffprobe and collects its stdout. ffprobe never reads stdin (and rejects `-nostdin`), so
 * only `-hide_banner` is added; stdin is closed regardless.
 */
export function runFfprobe(
  ffprobePath: string,
  commandArguments: readonly string[],
  options: MediaToolRunOptions,
): Promise<MediaToolResult> {
  return runMediaTool(ffprobePath, ['-hide_banner', ...commandArguments], options, undefined);
}

function runMediaTool(
  command: string,
  commandArguments: readonly string[],
  options: MediaToolRunOptions,
  onStdout: ((chunk: string) => void) | undefined,
): Promise<MediaToolResult> {
  const tool = path.basename(command);
  const { signal } = options;
  const errorCode = options.errorCode ?? 'engine_failed';
  const tailBytes = options.stderrTailBytes ?? defaultStderrTailBytes;
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));

  return new Promise<MediaToolResult>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, commandArguments, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stdoutBytes = 0;
    let stderrTail = '';
    let ending: 'timeout' | 'abort' | 'overflow' | undefined;
    let spawnError: Error | undefined;

    const kill = (reason: NonNullable<typeof ending>) => {
      ending ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), options.timeoutMs);
    const onAbort = () => kill('abort');
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (onStdout !== undefined) {
        onStdout(chunk);
        return;
      }
      stdoutBytes += Buffer.byteLength(chunk);
      if (stdoutBytes > maximumStdoutBytes) {
        kill('overflow');
        return;
      }
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-tailBytes);
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (exitCode, exitSignal) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const elapsedMs = performance.now() - started;
      const detail = lastLines(stderrTail);
      if (spawnError !== undefined) {
        reject(
          new AppError('engine_unavailable', `could not start ${tool} (${command}): ${spawnError.message}`, {
            cause: spawnError,
          }),
        );
      } else if (ending === 'abort' && signal !== undefined) {
        reject(abortReason(signal));
      } else if (ending === 'timeout') {
        // Retryable: a timeout usually means a loaded host, not a bad request.
        reject(
          new AppError('engine_failed', `${tool} timed out after ${options.timeoutMs} ms${suffix(detail)}`, {
            retryable: true,
          }),
        );
      } else if (ending === 'overflow') {
        reject(new AppError(errorCode, `${tool} wrote more than ${maximumStdoutBytes} bytes to stdout`));
      } else if (exitCode !== 0) {
        const how =
          exitCode === null ? `was killed by ${exitSignal ?? 'a signal'}` : `exited with code ${exitCode}`;
        reject(new AppError(errorCode, `${tool} ${how}${suffix(detail)}`));
      } else {
        resolve({ stdout, stderrTail, elapsedMs });
      }
    });
  });
}

/** The reason an aborted run rejects with: the signal's own Error, else a standard AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-6).join('\n').trim();
}

function suffix(detail: string): string {
  return detail === '' ? '' : `: ${detail}`;
}
