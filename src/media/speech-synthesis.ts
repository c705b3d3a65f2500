import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppError } from '../domain/app-error.ts';
import { abortReason } from './run-ffmpeg.ts';

/** One line to speak. */
export interface SpeechRequest {
  readonly text: string;
  /** An eSpeak NG voice name, optionally with a variant: `en-us`, `en-us+f3`, `cmn`. */
  readonly voice: string;
  /** Speaking rate; eSpeak's default is 175. */
  readonly wordsPerMinute: number;
  /** Where the WAV is written (inside the job's work folder). */
  readonly outputPath: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** The Node executable that runs the speech program; the current one by default. */
  readonly nodePath?: string;
}

/** A spoken line on disk and what the engine needs to place and level it. */
export interface SpeechClip {
  readonly path: string;
  readonly sampleRate: number;
  readonly sampleCount: number;
  readonly durationSeconds: number;
  /** Largest absolute sample, 0–1. */
  readonly peak: number;
  /** Root mean square over the voiced samples (quieter than −50 dBFS counts as a pause), 0–1. */
  readonly rms: number;
}

/**
 * The separate program that runs eSpeak NG. It is GPL-licensed, so it is never imported into
 * this process: it runs as a child, like the ffmpeg binaries (docs/decisions/0011).
 */
export const speechProgramPath = fileURLToPath(new URL('./speech-program.mjs', import.meta.url));

/** Texts longer than this are not one line of dialogue; the program refuses nothing, so we do. */
export const maximumSpeechCharacters = 2000;

/**
 * Speaks one line with the local eSpeak NG voice (no network, no downloaded model) and reads back
 * the WAV's level. The program runs in its own Node process with the text on stdin; it is killed
 * on timeout or abort, and the promise settles only after it has exited.
 */
export async function synthesizeSpeech(request: SpeechRequest): Promise<SpeechClip> {
  if (request.text.length > maximumSpeechCharacters) {
    throw new RangeError(`a line of dialogue is at most ${maximumSpeechCharacters} characters`);
  }
  await runSpeechProgram(request);
  return readSpeechClip(request.outputPath);
}

function runSpeechProgram(request: SpeechRequest): Promise<void> {
  const { signal } = request;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const child = spawn(
      request.nodePath ?? process.execPath,
      [speechProgramPath, request.outputPath, request.voice, String(request.wordsPerMinute)],
      { stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true },
    );
    let ending: 'timeout' | 'abort' | undefined;
    let stderr = '';
    let spawnError: Error | undefined;
    const kill = (reason: NonNullable<typeof ending>) => {
      ending ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), request.timeoutMs);
    const onAbort = () => kill('abort');
    signal.addEventListener('abort', onAbort, { once: true });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2048);
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    // A child killed before it read stdin makes the write fail with EPIPE; `close` reports why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.text, 'utf8');
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (spawnError !== undefined) {
        reject(
          new AppError('engine_unavailable', `could not start the speech program: ${spawnError.message}`),
        );
      } else if (ending === 'abort') {
        reject(abortReason(signal));
      } else if (ending === 'timeout') {
        reject(
          new AppError('engine_failed', `speech synthesis timed out after ${request.timeoutMs} ms`, {
            retryable: true,
          }),
        );
      } else if (exitCode !== 0) {
        reject(new AppError('engine_failed', `speech synthesis failed (exit ${exitCode}): ${stderr.trim()}`));
      } else {
        resolve();
      }
    });
  });
}

/** Reads a 16-bit PCM mono WAV (what eSpeak NG writes) and measures its level. */
export async function readSpeechClip(file: string): Promise<SpeechClip> {
  const bytes = await readFile(file);
  const wav = parsePcmWav(bytes);
  let peak = 0;
  let squares = 0;
  let voiced = 0;
  const pause = 10 ** (-50 / 20);
  for (const sample of wav.samples) {
    const value = Math.abs(sample);
    if (value > peak) peak = value;
    if (value > pause) {
      squares += value * value;
      voiced += 1;
    }
  }
  return {
    path: file,
    sampleRate: wav.sampleRate,
    sampleCount: wav.samples.length,
    durationSeconds: wav.samples.length / wav.sampleRate,
    peak,
    rms: voiced === 0 ? 0 : Math.sqrt(squares / voiced),
  };
}

/** The samples (−1…1) of a mono 16-bit PCM WAV; anything else is refused. */
export function parsePcmWav(bytes: Buffer): { sampleRate: number; samples: Float32Array } {
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new AppError('engine_failed', 'the speech program did not write a WAV file');
  }
  let offset = 12;
  let sampleRate: number | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const declared = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const format = bytes.readUInt16LE(body);
      const channels = bytes.readUInt16LE(body + 2);
      const bits = bytes.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || bits !== 16) {
        throw new AppError(
          'engine_failed',
          `speech WAV is not 16-bit mono PCM (${format}/${channels}/${bits})`,
        );
      }
      sampleRate = bytes.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (sampleRate === undefined) break;
      // eSpeak streams the WAV and may leave the data size unset (0 or 0xFFFFFFFF): read to the end.
      const end = declared === 0 || body + declared > bytes.length ? bytes.length : body + declared;
      const samples = new Float32Array(Math.floor((end - body) / 2));
      for (let index = 0; index < samples.length; index += 1) {
        samples[index] = bytes.readInt16LE(body + index * 2) / 32768;
      }
      return { sampleRate, samples };
    }
    offset = body + declared + (declared % 2);
  }
  throw new AppError('engine_failed', 'speech WAV has no fmt or data chunk');
}
