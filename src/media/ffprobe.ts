import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../domain/app-error.ts';
import type { FfmpegBinaries } from './ffmpeg-binaries.ts';
import { runFfprobe } from './run-ffmpeg.ts';

/** A video stream as ffprobe sees it. */
export interface ProbedVideoStream {
  readonly kind: 'video';
  readonly index: number;
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: string | undefined;
  /** Average frame rate (falls back to the base rate); `undefined` for a still image. */
  readonly fps: number | undefined;
  /** The container's frame count (`nb_frames`), when it records one. */
  readonly frameCount: number | undefined;
  readonly durationSeconds: number | undefined;
}

/** An audio stream as ffprobe sees it. */
export interface ProbedAudioStream {
  readonly kind: 'audio';
  readonly index: number;
  readonly codec: string;
  readonly sampleRate: number | undefined;
  readonly channels: number | undefined;
  readonly durationSeconds: number | undefined;
}

/** Subtitles, data and attachment streams: listed so callers can reject or ignore them. */
export interface ProbedOtherStream {
  readonly kind: 'other';
  readonly index: number;
  readonly codecType: string;
  readonly codec: string | undefined;
}

/** One stream of a probed file. */
export type ProbedStream = ProbedVideoStream | ProbedAudioStream | ProbedOtherStream;

/** What ffprobe reports about one file. */
export interface MediaProbe {
  /** ffprobe's demuxer name list, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `png_pipe`. */
  readonly formatName: string;
  readonly durationSeconds: number | undefined;
  readonly sizeBytes: number | undefined;
  readonly bitRate: number | undefined;
  readonly streams: readonly ProbedStream[];
  /** The first video stream, if any. */
  readonly video: ProbedVideoStream | undefined;
  /** The first audio stream, if any. */
  readonly audio: ProbedAudioStream | undefined;
}

/** Bounds of one probe. */
export interface ProbeMediaOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /**
   * Demuxers ffprobe may use (`-format_whitelist`), e.g. `mov,mp4,m4a,3gp,3g2,mj2,png_pipe`.
   * Pinning them on untrusted input stops playlist-style formats (HLS, concat) that would open
   * further local files even with the file-only protocol whitelist.
   */
  readonly formatWhitelist?: string | undefined;
}

/** ffprobe writes numbers as strings ("5.000000", "N/A"); anything unparseable becomes undefined. */
const numeric = z
  .union([z.string(), z.number()])
  .optional()
  .transform((value) => {
    if (value === undefined) return undefined;
    const parsed = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  });

const streamSchema = z.object({
  index: z.number().int(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  pix_fmt: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  nb_frames: numeric,
  duration: numeric,
  sample_rate: numeric,
  channels: z.number().int().optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z.object({
    format_name: z.string(),
    duration: numeric,
    size: numeric,
    bit_rate: numeric,
  }),
});

/**
 * Probes a local file: `-v error -print_format json -show_format -show_streams
 * -protocol_whitelist file`, so a hostile file cannot make ffprobe open the network or a pipe. A
 * relative path is made absolute first, because ffprobe would read a leading `name:` as a
 * protocol. Rejects with `unsupported_media_input` when ffprobe cannot read the file.
 */
export async function probeMedia(
  binaries: Pick<FfmpegBinaries, 'ffprobe'>,
  filePath: string,
  options: ProbeMediaOptions,
): Promise<MediaProbe> {
  const absolute = path.resolve(filePath);
  const formatArguments =
    options.formatWhitelist === undefined ? [] : ['-format_whitelist', options.formatWhitelist];
  const { stdout } = await runFfprobe(
    binaries.ffprobe,
    [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      '-protocol_whitelist',
      'file',
      ...formatArguments,
      '-i',
      absolute,
    ],
    { timeoutMs: options.timeoutMs, signal: options.signal, errorCode: 'unsupported_media_input' },
  );
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (error) {
    throw new AppError('unsupported_media_input', 'ffprobe did not return JSON', { cause: error });
  }
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError('unsupported_media_input', `unexpected ffprobe output: ${parsed.error.message}`);
  }
  const streams = parsed.data.streams.map(toStream);
  const format = parsed.data.format;
  return {
    formatName: format.format_name,
    durationSeconds: format.duration,
    sizeBytes: format.size,
    bitRate: format.bit_rate,
    streams,
    video: streams.find((stream): stream is ProbedVideoStream => stream.kind === 'video'),
    audio: streams.find((stream): stream is ProbedAudioStream => stream.kind === 'audio'),
  };
}

function toStream(stream: z.infer<typeof streamSchema>): ProbedStream {
  const codec = stream.codec_name ?? 'unknown';
  if (stream.codec_type === 'video' && stream.width !== undefined && stream.height !== undefined) {
    return {
      kind: 'video',
      index: stream.index,
      codec,
      width: stream.width,
      height: stream.height,
      pixelFormat: stream.pix_fmt,
      fps: parseRate(stream.avg_frame_rate) ?? parseRate(stream.r_frame_rate),
      frameCount: stream.nb_frames,
      durationSeconds: stream.duration,
    };
  }
  if (stream.codec_type === 'audio') {
    return {
      kind: 'audio',
      index: stream.index,
      codec,
      sampleRate: stream.sample_rate,
      channels: stream.channels,
      durationSeconds: stream.duration,
    };
  }
  return {
    kind: 'other',
    index: stream.index,
    codecType: stream.codec_type ?? 'unknown',
    codec: stream.codec_name,
  };
}

/** Parses ffprobe's `num/den` rates; `0/0` (a still image or an unknown rate) gives undefined. */
export function parseRate(rate: string | undefined): number | undefined {
  if (rate === undefined) return undefined;
  const match = /^(\d+)(?:\/(\d+))?$/.exec(rate.trim());
  if (match === null) return undefined;
  const numerator = Number(match[1]);
  const denominator = match[2] === undefined ? 1 : Number(match[2]);
  if (numerator === 0 || denominator === 0) return undefined;
  return numerator / denominator;
}
