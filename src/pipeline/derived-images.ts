import path from 'node:path';
import type { ArtifactRole } from '../domain/job.ts';
import { outputFps } from '../domain/media-facts.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { runFfmpeg, untrustedProtocolWhitelist } from '../media/run-ffmpeg.ts';
import type { FrameTap } from '../safety/frame-sampler.ts';
import { streamRawFrames } from '../safety/raw-frame-stream.ts';

/** An image made from the finished video, ready to publish next to it. */
export interface DerivedImage {
  readonly role: Exclude<ArtifactRole, 'video'>;
  readonly path: string;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
}

export interface DeriveImagesRequest {
  readonly videoPath: string;
  readonly workdir: string;
  readonly width: number;
  readonly height: number;
  readonly durationSeconds: number;
  /** Also extract the exact last frame (Seedance `return_last_frame`). */
  readonly lastFrame: boolean;
  readonly signal: AbortSignal;
  /**
   * The content-safety check's frames, taken from this same decode: one more `split` branch runs
   * the tap's filter and writes rgb24 frames to stdout (see `createFrameTap`). Absent when safety
   * is off.
   */
  readonly frameTap?: FrameTap | undefined;
}

/** Columns × rows of the spritesheet; cells are 256 px wide. */
const sheetColumns = 4;
const sheetRows = 2;
const cellWidth = 256;
const timeoutMs = 60_000;

/**
 * The still images clients ask for besides the video: a poster frame from the middle
 * (`thumbnail`, JPEG), a 4 × 2 strip of evenly spaced frames (`spritesheet`, JPEG) and, when asked,
 * the video's very last frame as a lossless PNG (`last_frame`, for chaining a next shot from it).
 *
 * One ffmpeg run decodes the video once and feeds every image from a `split`: separate runs cost
 * three process starts and three decodes (1.4 s for a 5 s 720p clip, as long as the render). With a
 * `frameTap` the same decode also feeds the content-safety check, which would otherwise decode the
 * output a second time (~0.3 CPU-s of a ~2 CPU-s job). The filters used exist in both Debian's
 * ffmpeg 5.1 and the 2018 static build.
 */
export async function deriveImages(
  binaries: FfmpegBinaries,
  request: DeriveImagesRequest,
): Promise<DerivedImage[]> {
  const frames = Math.max(1, Math.round(request.durationSeconds * outputFps));
  const cells = sheetColumns * sheetRows;
  const cellHeight = 2 * Math.round((cellWidth * request.height) / request.width / 2);
  const thumbnail = path.join(request.workdir, 'thumbnail.jpg');
  const spritesheet = path.join(request.workdir, 'spritesheet.jpg');
  const lastFrame = path.join(request.workdir, 'last-frame.png');

  const tap = request.frameTap;
  const labels = ['[forThumbnail]', '[forSheet]', ...(request.lastFrame ? ['[forLast]'] : [])];
  if (tap !== undefined) labels.push('[forCheck]');
  const graph = [
    `[0:v]split=${labels.length}${labels.join('')}`,
    `[forThumbnail]select=eq(n\\,${Math.floor(frames / 2)})[thumbnail]`,
    // Exactly columns × rows frames, evenly spread: fps = cells / duration.
    `[forSheet]fps=${cells}/${request.durationSeconds},scale=${cellWidth}:${cellHeight},tile=${sheetColumns}x${sheetRows}[sheet]`,
    ...(request.lastFrame ? [`[forLast]select=eq(n\\,${frames - 1})[last]`] : []),
    ...(tap === undefined ? [] : [`[forCheck]${tap.filter}[check]`]),
  ].join(';');
  const outputs = [
    ['-map', '[thumbnail]', '-frames:v', '1', '-q:v', '3', thumbnail],
    ['-map', '[sheet]', '-frames:v', '1', '-q:v', '4', spritesheet],
    ...(request.lastFrame ? [['-map', '[last]', '-frames:v', '1', lastFrame]] : []),
    ...(tap === undefined ? [] : [['-map', '[check]', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1']]),
  ].flat();
  const commandArguments = [
    '-protocol_whitelist',
    untrustedProtocolWhitelist,
    '-i',
    request.videoPath,
    '-filter_complex',
    graph,
    '-y',
    // A global option (no per-output `-fps_mode` in the 2018 build): passthrough keeps rawvideo
    // from duplicating frames to a constant rate, and changes nothing for the one-frame images.
    ...(tap === undefined ? [] : ['-vsync', 'passthrough']),
    ...outputs,
  ];
  if (tap === undefined) {
    await runFfmpeg(binaries.ffmpeg, commandArguments, { timeoutMs, signal: request.signal });
  } else {
    await streamRawFrames(binaries.ffmpeg, commandArguments, {
      frameBytes: tap.frameBytes,
      onFrame: (frame) => tap.addFrame(frame),
      onStderrLine: (line) => tap.addStderrLine(line),
      timeoutMs,
      signal: request.signal,
      errorCode: 'engine_failed',
    });
  }

  const images: DerivedImage[] = [
    {
      role: 'thumbnail',
      path: thumbnail,
      contentType: 'image/jpeg',
      width: request.width,
      height: request.height,
    },
    {
      role: 'spritesheet',
      path: spritesheet,
      contentType: 'image/jpeg',
      width: cellWidth * sheetColumns,
      height: cellHeight * sheetRows,
    },
  ];
  if (request.lastFrame) {
    images.push({
      role: 'last_frame',
      path: lastFrame,
      contentType: 'image/png',
      width: request.width,
      height: request.height,
    });
  }
  return images;
}
