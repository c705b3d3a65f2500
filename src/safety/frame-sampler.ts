import { untrustedProtocolWhitelist } from '../media/run-ffmpeg.ts';
import { streamRawFrames } from './raw-frame-stream.ts';

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
  readonly signal?: AbortSignal | undefined;
  /** The code a file ffmpeg cannot decode fails with: `input_rejected` (default) or `output_invalid`. */
  readonly errorCode?: 'input_rejected' | 'output_invalid' | undefined;
  /**
   * Called with each kept frame as soon as it is known to be kept, in the order of the result's
   * `frames`: every frame before the tail while ffmpeg still decodes, the last frame at the end.
   * The safety check starts classifying here, so decoding and classifying overlap.
   */
  readonly onFrame?: ((frame: Uint8Array, timeSeconds: number) => void) | undefined;
}

const timeoutMs = 60_000;
/** Frames closer than this to the end are candidates for "the last frame". */
const tailSeconds = 0.25;
const showinfoFrame = /\bn:\s*\d+\s+pts:\s*-?\d+\s+pts_time:\s*(-?[\d.]+)/;

/** What decides which frames of a file are sampled. */
export type FrameTapRequest = Pick<
  SampleFramesRequest,
  'kind' | 'durationSeconds' | 'intervalSeconds' | 'onFrame'
>;

/**
 * The sampler's half of an ffmpeg run: the filter chain that picks and squeezes the frames, and
 * the collector of what that chain writes. Whoever runs ffmpeg appends `filter` to a video chain
 * (the sampler's own run, or a `split` branch of the derived-images run, so the output is decoded
 * once), writes its frames as rgb24 rawvideo to a pipe with `-vsync passthrough`, and hands over
 * each whole frame and each stderr line; `finish` then gives the kept frames.
 */
export interface FrameTap {
  /** `select=…,scale=224:224:flags=bilinear,showinfo` (no `select` for a still image). */
  readonly filter: string;
  /** Bytes of one frame on the pipe. */
  readonly frameBytes: number;
  addFrame(frame: Uint8Array): void;
  /** One line of ffmpeg's stderr; the `showinfo` lines carry the frames' times. */
  addStderrLine(line: string): void;
  /** Called once ffmpeg has exited successfully: the kept frames and their times. */
  finish(): SampledFrames;
}

/**
 * Builds the sampling rules as a {@link FrameTap}: the first frame, then one every
 * `intervalSeconds`, then the last frame (see {@link sampleFrames}). Both ffmpeg builds have
 * the filters it uses.
 */
export function createFrameTap(request: FrameTapRequest): FrameTap {
  const size = `${classifierFrameSize}:${classifierFrameSize}`;
  const tailStart =
    request.durationSeconds === undefined ? undefined : Math.max(0, request.durationSeconds - tailSeconds);
  const select =
    request.kind === 'image'
      ? ''
      : `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${request.intervalSeconds})` +
        `${tailStart === undefined ? '' : `+gte(t\\,${tailStart})`}',`;
  const pairing = new FramePairing(tailStart, request.onFrame);
  return {
    filter: `${select}scale=${size}:flags=bilinear,showinfo`,
    frameBytes: classifierFrameBytes,
    addFrame: (frame) => pairing.addFrame(frame),
    addStderrLine: (line) => {
      const time = showinfoFrame.exec(line)?.[1];
      if (time !== undefined) pairing.addTime(Number(time));
    },
    finish: () => pairing.finish(),
  };
}

/**
 * Decodes the frames the safety check classifies, in one ffmpeg run per file: the first frame,
 * then one every `intervalSeconds`, then the last frame, each squeezed to 224 × 224 rgb24 (the
 * classifier's input, which is what nsfwjs would resize to anyway) and written to a pipe — no
 * image encoding, no scratch file. A still image is one frame. (The output check of a job takes
 * the same frames from the derived-images run instead: see {@link createFrameTap}.)
 *
 * The exact last frame cannot be named before decoding (a container's duration is approximate),
 * so ffmpeg also passes every frame of the final quarter second and only the latest of those is
 * kept; `showinfo` reports each passed frame's time on stderr, in step with the frames on stdout.
 * `select`, `scale` and `showinfo` exist in both the 2018 static build and Debian's ffmpeg 5.1.
 */
export async function sampleFrames(request: SampleFramesRequest): Promise<SampledFrames> {
  const tap = createFrameTap(request);
  await streamRawFrames(
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
      tap.filter,
      ...(request.kind === 'image' ? ['-frames:v', '1'] : []),
      '-vsync',
      'passthrough',
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:1',
    ],
    {
      frameBytes: tap.frameBytes,
      onFrame: (frame) => tap.addFrame(frame),
      onStderrLine: (line) => tap.addStderrLine(line),
      timeoutMs,
      signal: request.signal,
      errorCode: request.errorCode ?? 'input_rejected',
    },
  );
  return tap.finish();
}

/**
 * Pairs the frames from stdout with the times `showinfo` reports on stderr (the n-th time belongs
 * to the n-th frame; the two pipes run at their own pace) and decides which frames to keep: every
 * frame before the tail at once, and of the tail only the very last frame, at the end. An
 * interval sample that falls in the final quarter second goes with the tail: the last frame
 * stands for it.
 */
class FramePairing {
  private readonly untimed: Uint8Array[] = [];
  private readonly unmatchedTimes: number[] = [];
  private readonly kept: { frame: Uint8Array; time: number }[] = [];
  private tail: { frame: Uint8Array; time: number } | undefined;

  constructor(
    private readonly tailStart: number | undefined,
    private readonly onFrame: SampleFramesRequest['onFrame'],
  ) {}

  addFrame(frame: Uint8Array): void {
    this.untimed.push(frame);
    this.pair();
  }

  addTime(time: number): void {
    this.unmatchedTimes.push(time);
    this.pair();
  }

  /** The kept frames, once ffmpeg has exited. */
  finish(): SampledFrames {
    // Without one time per frame there is no telling the tail apart: keep the untimed frames too,
    // numbered by their place (the old behaviour of a build whose showinfo reads differently).
    for (const frame of this.untimed.splice(0)) this.keep(frame, this.kept.length);
    if (this.tail !== undefined) this.keep(this.tail.frame, this.tail.time);
    return { frames: this.kept.map((item) => item.frame), times: this.kept.map((item) => item.time) };
  }

  private pair(): void {
    while (this.untimed.length > 0 && this.unmatchedTimes.length > 0) {
      const frame = this.untimed.shift() as Uint8Array;
      const time = this.unmatchedTimes.shift() as number;
      if (this.tailStart !== undefined && time >= this.tailStart) this.tail = { frame, time };
      else this.keep(frame, time);
    }
  }

  private keep(frame: Uint8Array, time: number): void {
    const rounded = Math.round(time * 1000) / 1000;
    this.kept.push({ frame, time: rounded });
    this.onFrame?.(frame, rounded);
  }
}
