import { open } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../domain/app-error.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { probeMedia, type MediaProbe } from '../media/ffprobe.ts';
import {
  acceptedFormats,
  describeUnrecognizedMedia,
  kindDescriptions,
  mediaFormats,
  sniffHeaderBytes,
  sniffMediaType,
  type MediaFormat,
  type MediaKind,
  type SniffedType,
} from './media-sniff.ts';

/** What an input file is, from its bytes and ffprobe: everything the input limits look at. */
export interface MediaFacts {
  readonly kind: MediaKind;
  readonly format: MediaFormat;
  readonly mime: string;
  /** The file's size on disk. */
  readonly bytes: number;
  /** Picture width of an image or a video's first video stream. */
  readonly width?: number;
  readonly height?: number;
  /** The container's duration (the longest stream); not set for images. */
  readonly durationSeconds?: number;
  /** The average frame rate of a video; not set for images and audio. */
  readonly fps?: number;
  /** ffprobe's codec name of the picture (`h264`, `png`, `mjpeg`); images report theirs too. */
  readonly videoCodec?: string;
  readonly audioCodec?: string;
  /** Whether a video carries a sound track; always true for audio, false for images. */
  readonly hasAudio: boolean;
  /** Whether the file is a moving picture; false for still images and for cover art in audio. */
  readonly hasVideo: boolean;
}

/** How one inspection is bounded. */
export interface InspectMediaOptions {
  /** The kind the request put this input under; any other kind is refused. */
  readonly expectedKind: MediaKind;
  /** ffprobe's wall-clock limit; {@link defaultInspectTimeoutMs} when not given. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** ffprobe reads only headers and a few packets; ten seconds covers a loaded host, not a hostile file. */
export const defaultInspectTimeoutMs = 10_000;

const quickTimeDemuxer = 'mov,mp4,m4a,3gp,3g2,mj2';

/**
 * The only demuxers ffprobe may use for each sniffed format (`-format_whitelist`). ffprobe still
 * probes every demuxer but refuses to open the file when the winner is not listed, so an HLS
 * playlist or concat list — which would read further files — can never be opened, whatever bytes
 * it starts with. Names are those ffprobe 5.1 (Debian) and the npm static build report:
 * - JPEG needs `image2` as well as `jpeg_pipe`: when the file name ends in an image extension,
 *   `image2` outscores `jpeg_pipe`. (Every other image format's pipe demuxer wins regardless.)
 * - An animated PNG is opened by `apng`, not `png_pipe`; it is still a PNG.
 * - `mov,mp4,m4a,3gp,3g2,mj2` is the name of one demuxer, for both MP4 and MOV.
 */
export const demuxerWhitelists: Readonly<Record<MediaFormat, string>> = {
  jpeg: 'image2,jpeg_pipe',
  png: 'png_pipe,apng',
  webp: 'webp_pipe',
  bmp: 'bmp_pipe',
  tiff: 'tiff_pipe',
  gif: 'gif',
  mp4: quickTimeDemuxer,
  mov: quickTimeDemuxer,
  wav: 'wav',
  mp3: 'mp3',
};

/**
 * The codecs a format's bytes must decode as, where the format fixes them. The magic numbers and
 * the codec ffprobe found must agree: a PNG header followed by JPEG data is not a readable PNG.
 * Containers (MP4, MOV, WAV) may hold any codec and are not listed.
 */
const expectedCodecs: Partial<Record<MediaFormat, readonly string[]>> = {
  jpeg: ['mjpeg'],
  png: ['png', 'apng'],
  webp: ['webp'],
  bmp: ['bmp'],
  tiff: ['tiff'],
  gif: ['gif'],
  mp3: ['mp3'],
};

/**
 * Decides what an input file is and reads its facts. The first {@link sniffHeaderBytes} bytes
 * decide the format (never the name or a Content-Type); a format of another kind than expected is
 * refused; then ffprobe, pinned to that format's demuxers and to the `file` protocol, must read it.
 *
 * Rejects with `input_rejected` (message without a field: callers prefix the field path) when the
 * file is not an accepted format, is another kind than expected, or cannot be read. A probe that
 * times out (`engine_failed`, retryable), an ffprobe that will not start and an abort pass through
 * unchanged: they say nothing about the file.
 */
export async function inspectMedia(
  binaries: Pick<FfmpegBinaries, 'ffprobe'>,
  file: string,
  options: InspectMediaOptions,
): Promise<MediaFacts> {
  const { expectedKind } = options;
  const { header, bytes } = await readHeader(file);
  const sniffed = sniffMediaType(header);
  if (sniffed === undefined) {
    throw new AppError(
      'input_rejected',
      `${describeUnrecognizedMedia(header)} where ${expected(expectedKind)}`,
    );
  }
  if (sniffed.kind !== expectedKind) {
    throw new AppError('input_rejected', `${describe(sniffed)} where ${expected(expectedKind)}`);
  }
  const probe = await probeSniffed(binaries, file, sniffed, options);
  const unreadable = (reason: string) =>
    new AppError('input_rejected', `not a readable ${label(sniffed)}: ${reason}`);
  const base = { kind: sniffed.kind, format: sniffed.format, mime: sniffed.mime, bytes };
  const codecs = expectedCodecs[sniffed.format];
  const codecMismatch = (codec: string) => codecs !== undefined && !codecs.includes(codec);

  if (sniffed.kind === 'image') {
    const picture = probe.video;
    if (picture === undefined) throw unreadable('it holds no picture');
    if (codecMismatch(picture.codec)) throw unreadable(`its data is ${picture.codec}`);
    return {
      ...base,
      width: picture.width,
      height: picture.height,
      videoCodec: picture.codec,
      hasAudio: false,
      hasVideo: false,
    };
  }
  if (sniffed.kind === 'video') {
    const video = probe.video;
    if (video === undefined) throw unreadable('it has no video stream');
    return {
      ...base,
      width: video.width,
      height: video.height,
      ...optional('durationSeconds', probe.durationSeconds ?? video.durationSeconds),
      ...optional('fps', video.fps),
      videoCodec: video.codec,
      ...optional('audioCodec', probe.audio?.codec),
      hasAudio: probe.audio !== undefined,
      hasVideo: true,
    };
  }
  const audio = probe.audio;
  if (audio === undefined) throw unreadable('it has no audio stream');
  if (codecMismatch(audio.codec)) throw unreadable(`its data is ${audio.codec}`);
  return {
    ...base,
    ...optional('durationSeconds', probe.durationSeconds ?? audio.durationSeconds),
    audioCodec: audio.codec,
    hasAudio: true,
    hasVideo: false,
  };
}

/** The first bytes and the size, from one open file handle so both describe the same file. */
async function readHeader(file: string): Promise<{ header: Buffer; bytes: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(sniffHeaderBytes);
    const { bytesRead } = await handle.read(buffer, 0, sniffHeaderBytes, 0);
    return { header: buffer.subarray(0, bytesRead), bytes: size };
  } finally {
    await handle.close();
  }
}

async function probeSniffed(
  binaries: Pick<FfmpegBinaries, 'ffprobe'>,
  file: string,
  sniffed: SniffedType,
  options: InspectMediaOptions,
): Promise<MediaProbe> {
  const formatWhitelist = demuxerWhitelists[sniffed.format];
  // image2 reads a numbered sequence of sibling files when the name contains a `%d` pattern. The
  // caller picks input file names, so such a name is a programming error, not a client's doing.
  if (formatWhitelist.split(',').includes('image2') && path.resolve(file).includes('%')) {
    throw new AppError('internal_error', `refusing to probe an input whose path contains "%": ${file}`);
  }
  try {
    return await probeMedia(binaries, file, {
      timeoutMs: options.timeoutMs ?? defaultInspectTimeoutMs,
      signal: options.signal,
      formatWhitelist,
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'unsupported_media_input') {
      throw new AppError('input_rejected', `not a readable ${label(sniffed)}`, { cause: error });
    }
    throw error;
  }
}

function describe(sniffed: SniffedType): string {
  return mediaFormats[sniffed.format].description;
}

/** "PNG image", "MP4 video": the description without its article. */
function label(sniffed: SniffedType): string {
  return describe(sniffed).replace(/^an? /, '');
}

/** "a video (MP4 or MOV) was expected". */
function expected(kind: MediaKind): string {
  const labels = acceptedFormats[kind].map((format) => mediaFormats[format].label);
  const list = `${labels.slice(0, -1).join(', ')} or ${labels.at(-1) ?? ''}`;
  return `${kindDescriptions[kind]} (${list}) was expected`;
}

/** `{ [key]: value }` when the value is known, else nothing: optional properties stay absent. */
function optional<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}
