import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg, untrustedProtocolWhitelist } from '../media/run-ffmpeg.ts';

/** The classifier's input: square RGB frames of this many pixels a side. */
export const classifierFrameSize = 224;
/** Bytes of one classifier frame (rgb24). */
export const classifierFrameBytes = classifierFrameSize * classifierFrameSize * 3;

/** Frames decoded for the classifier, with where in the media each one is. */
export interface SampledFrames {
  /** Each frame is {@link classifierFrameBytes} of rgb24, rows top to bottom. */
  readonly frames: readonly Uint8Array[];
  /** Presentation time of each frame in seconds (0 for a still image). */
  readonly times: readonly number[];
}

export interface SampleFramesRequest {
  readonly ffmpeg: string;
  readonly file: string;
  readonly kind: 'image' | 'video';
  /** The video's duration, when known: frames within the last quarter second are its tail. */
  readonly durationSeconds?: number | undefined;
  /** Seconds between sampled frames (the first and the last frame are always sampled). */
  readonly intervalSeconds: number;
  /** Folder for the raw frame file (removed again before returning). */
  readonly workdir: string;
  readonly signal?: AbortSignal | undefined;
  /** The code a file ffmpeg cannot decode fails with: `input_rejected` (default) or `output_invalid`. */
  readonly errorCode?: 'input_rejected' | 'output_invalid' | undefined;
}

const timeoutMs = 60_000;
/** Frames closer than this to the end are candidates for "the last frame". */
const tailSeconds = 0.25;
const showinfoFrame = /\bn:\s*\d+\s+pts:\s*-?\d+\s+pts_time:\s*(-?[\d.]+)/g;

/**
 * Decodes the frames the safety check classifies, in one ffmpeg run per file: the first frame,
 * then one every `intervalSeconds`, then the last frame, each squeezed to 224 × 224 rgb24 (the
 * classifier's input, which is what nsfwjs would resize to anyway). A still image is one frame.
 *
 * The exact last frame cannot be named before decoding (a container's duration is approximate),
 * so ffmpeg also passes every frame of the final quarter second and only the latest of those is
 * kept; `showinfo` reports each passed frame's time on stderr. `select`, `scale` and `showinfo`
 * exist in both the 2018 static build and Debian's ffmpeg 5.1.
 */
export async function sampleFrames(request: SampleFramesRequest): Promise<SampledFrames> {
  const output = path.join(request.workdir, `safety-frames-${path.basename(request.file)}.rgb`);
  const size = `${classifierFrameSize}:${classifierFrameSize}`;
  const tailStart =
    request.durationSeconds === undefined ? undefined : Math.max(0, request.durationSeconds - tailSeconds);
  const select =
    request.kind === 'image'
      ? ''
      : `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${request.intervalSeconds})` +
        `${tailStart === undefined ? '' : `+gte(t\\,${tailStart})`}',`;
  try {
    const run = await runFfmpeg(
      request.ffmpeg,
      [
        '-protocol_whitelist',
        untrustedProtocolWhitelist,
        '-i',
        request.file,
        '-map',
        '0:v:0',
        '-an',
        '-vf',
        `${select}scale=${size}:flags=bilinear,showinfo`,
        ...(request.kind === 'image' ? ['-frames:v', '1'] : []),
        '-vsync',
        'passthrough',
        '-pix_fmt',
        'rgb24',
        '-f',
        'rawvideo',
        '-y',
        output,
      ],
      {
        timeoutMs,
        signal: request.signal,
        errorCode: request.errorCode ?? 'input_rejected',
        stderrTailBytes: 1024 * 1024,
      },
    );
    const bytes = await readFile(output);
    const count = Math.floor(bytes.byteLength / classifierFrameBytes);
    const frames = Array.from(
      { length: count },
      (_, index) =>
        new Uint8Array(bytes.buffer, bytes.byteOffset + index * classifierFrameBytes, classifierFrameBytes),
    );
    const reported = [...run.stderrTail.matchAll(showinfoFrame)].map((match) => Number(match[1]));
    // Without one time per frame there is no telling the tail apart: keep every frame.
    if (reported.length !== count) return { frames, times: frames.map((_, index) => index) };
    return keepLastOfTail(frames, reported, tailStart);
  } finally {
    await rm(output, { force: true });
  }
}

/**
 * Keeps every frame before the tail plus the very last frame. An interval sample that falls in the
 * final quarter second is dropped with the tail: the last frame stands for it.
 */
function keepLastOfTail(
  frames: readonly Uint8Array[],
  times: readonly number[],
  tailStart: number | undefined,
): SampledFrames {
  const kept = frames
    .map((_, index) => index)
    .filter(
      (index) => index === frames.length - 1 || tailStart === undefined || (times[index] ?? 0) < tailStart,
    );
  return {
    frames: kept.map((index) => frames[index] as Uint8Array),
    times: kept.map((index) => Math.round((times[index] ?? 0) * 1000) / 1000),
  };
}
