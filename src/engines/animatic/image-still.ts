import { acceptedFormats } from '../../inputs/media-sniff.ts';
import { demuxerWhitelists } from '../../inputs/media-inspect.ts';
import { runFfmpeg, untrustedProtocolWhitelist } from '../../media/run-ffmpeg.ts';
import type { RawPicture } from './filter-graph.ts';
import type { PixelRectangle } from './image-framing.ts';

/** What {@link prepareImageStill} makes of one input image. */
export interface ImageStillRequest {
  readonly ffmpeg: string;
  /** The input image: already sniffed and probed, but still a file a client sent. */
  readonly imagePath: string;
  /** Where the raw `rgb24` still is written. */
  readonly outputPath: string;
  readonly width: number;
  readonly height: number;
  /** Where the sharp image goes on a blurred surround (a pull-out), or undefined to fill the still. */
  readonly inset: PixelRectangle | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/**
 * Every demuxer an accepted image format may be opened with. The input files carry no format
 * and no extension, so the whitelist is the union over image formats; it still shuts out every
 * demuxer that could read other files (playlists, concat lists) or that is not a still image.
 */
export const imageDemuxerWhitelist = [
  ...new Set(acceptedFormats.image.flatMap((format) => demuxerWhitelists[format].split(','))),
].join(',');

/** The blurred surround is the image shrunk this many times and scaled back up: a cheap, wide blur. */
const surroundShrink = 24;
/** The surround is darkened so the sharp picture stays the subject. */
const surroundBrightness = 0.55;

/**
 * Decodes an input image once, in its own short ffmpeg run, into a raw `rgb24` still of exactly
 * the size the shot's camera needs, so the render reads only files this engine wrote. The image
 * is cover-fitted (scaled to fill, aspect kept, centre-cropped); transparency is flattened onto
 * black (rather than whatever colour the transparent pixels happen to hold); an animated image
 * gives its first frame. Lanczos keeps detail when a large photo is shrunk.
 */
export async function prepareImageStill(request: ImageStillRequest): Promise<RawPicture> {
  await runFfmpeg(request.ffmpeg, imageStillArguments(request), {
    timeoutMs: request.timeoutMs,
    signal: request.signal,
  });
  return { path: request.outputPath, width: request.width, height: request.height, pixelFormat: 'rgb24' };
}

/** The ffmpeg arguments of {@link prepareImageStill}. */
export function imageStillArguments(
  request: Pick<ImageStillRequest, 'imagePath' | 'outputPath' | 'width' | 'height' | 'inset'>,
): string[] {
  const { width, height, inset } = request;
  const black = `color=c=black:s=${width}x${height}:r=1[black]`;
  const flatten = `[black][picture]overlay=format=rgb:shortest=1,format=rgb24`;
  const graph =
    inset === undefined
      ? [black, `[0:v]format=rgba,${coverFit(width, height, 'lanczos')}[picture]`, `${flatten}[still]`]
      : [
          black,
          '[0:v]format=rgba,split[wide][sharp]',
          `[wide]${coverFit(Math.ceil(width / surroundShrink), Math.ceil(height / surroundShrink), 'area')},` +
            `scale=${width}:${height}:flags=bicubic[picture]`,
          `${flatten},lutrgb=${['r', 'g', 'b'].map((channel) => `${channel}=val*${surroundBrightness}`).join(':')}[surround]`,
          `[sharp]${coverFit(inset.width, inset.height, 'lanczos')}[front]`,
          `[surround][front]overlay=x=${inset.x}:y=${inset.y}:format=rgb:shortest=1,format=rgb24[still]`,
        ];
  return [
    ...['-loglevel', 'error', '-protocol_whitelist', untrustedProtocolWhitelist],
    ...['-format_whitelist', imageDemuxerWhitelist, '-i', request.imagePath],
    ...['-filter_complex', graph.join(';'), '-map', '[still]', '-frames:v', '1'],
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-fflags', '+bitexact', '-y', request.outputPath],
  ];
}

/**
 * Scale to cover `width`×`height` and centre-crop to it. The size is computed by ffmpeg from the
 * decoded picture (the probed size is not needed), rounded up so the crop never lacks a pixel.
 * The quotes keep the expressions' commas from splitting the filter chain.
 */
function coverFit(width: number, height: number, flags: string): string {
  const factor = `max(${width}/iw,${height}/ih)`;
  return (
    `scale=w='max(${width},ceil(iw*${factor}))':h='max(${height},ceil(ih*${factor}))':flags=${flags},` +
    `crop=${width}:${height},setsar=1`
  );
}
