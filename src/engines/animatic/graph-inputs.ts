import { untrustedProtocolWhitelist } from '../../media/run-ffmpeg.ts';
import { demuxerWhitelists } from '../../inputs/media-inspect.ts';
import type { RawPicture } from './filter-graph.ts';

/** The one demuxer an accepted video (MP4 or MOV) may be opened with. */
export const videoDemuxerWhitelist = [...new Set([demuxerWhitelists.mp4, demuxerWhitelists.mov])].join(',');

/**
 * The ffmpeg inputs of one render, numbered in the order they are added. Files the engine wrote
 * (raw stills, sprites, speech, decoded audio) are read with their exact raw format; a client's
 * video is read with the protocols pinned to `file,pipe` and the demuxer pinned to MP4/MOV, so
 * it can never make ffmpeg open a playlist, a concat list or a URL.
 */
export class GraphInputs {
  private readonly options: string[] = [];
  private count = 0;

  /** Every `-i` with its input options, in order. */
  get arguments(): readonly string[] {
    return this.options;
  }

  /** A raw picture the engine wrote, as a one-frame stream at `fps`. */
  addPicture(picture: RawPicture, fps: number): number {
    return this.add([
      ...['-f', 'rawvideo', '-pixel_format', picture.pixelFormat],
      ...['-video_size', `${picture.width}x${picture.height}`, '-framerate', String(fps), '-i', picture.path],
    ]);
  }

  /** A reference video from a client (already sniffed and probed as MP4 or MOV). */
  addClientVideo(file: string): number {
    return this.add([
      ...['-protocol_whitelist', untrustedProtocolWhitelist, '-format_whitelist', videoDemuxerWhitelist],
      ...['-i', file],
    ]);
  }

  /** A WAV file the engine wrote (speech). */
  addWav(file: string): number {
    return this.add(['-f', 'wav', '-i', file]);
  }

  /** Raw 32-bit float interleaved PCM the engine decoded (a reference audio clip). */
  addFloatPcm(file: string, sampleRate: number, channels: number): number {
    return this.add(['-f', 'f32le', '-ar', String(sampleRate), '-ac', String(channels), '-i', file]);
  }

  private add(options: readonly string[]): number {
    this.options.push(...options);
    this.count += 1;
    return this.count - 1;
  }
}
