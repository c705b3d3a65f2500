import path from 'node:path';
import type { ArtifactRole } from '../domain/job.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { runFfmpeg, untrustedProtocolWhitelist } from '../media/run-ffmpeg.ts';

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
 * The filters used exist in both Debian's ffmpeg 5.1 and the 2018 static build.
 */
export async function deriveImages(
  binaries: FfmpegBinaries,
  request: DeriveImagesRequest,
): Promise<DerivedImage[]> {
  const input = ['-protocol_whitelist', untrustedProtocolWhitelist];
  const options = { timeoutMs, signal: request.signal };
  const images: DerivedImage[] = [];

  const thumbnail = path.join(request.workdir, 'thumbnail.jpg');
  await runFfmpeg(
    binaries.ffmpeg,
    [
      ...input,
      '-ss',
      (request.durationSeconds / 2).toFixed(3),
      '-i',
      request.videoPath,
      '-frames:v',
      '1',
      '-q:v',
      '3',
      '-y',
      thumbnail,
    ],
    options,
  );
  images.push({
    role: 'thumbnail',
    path: thumbnail,
    contentType: 'image/jpeg',
    width: request.width,
    height: request.height,
  });

  // Exactly columns × rows frames, evenly spread: fps = cells / duration.
  const cells = sheetColumns * sheetRows;
  const cellHeight = 2 * Math.round((cellWidth * request.height) / request.width / 2);
  const spritesheet = path.join(request.workdir, 'spritesheet.jpg');
  await runFfmpeg(
    binaries.ffmpeg,
    [
      ...input,
      '-i',
      request.videoPath,
      '-vf',
      `fps=${cells}/${request.durationSeconds},scale=${cellWidth}:${cellHeight},tile=${sheetColumns}x${sheetRows}`,
      '-frames:v',
      '1',
      '-q:v',
      '4',
      '-y',
      spritesheet,
    ],
    options,
  );
  images.push({
    role: 'spritesheet',
    path: spritesheet,
    contentType: 'image/jpeg',
    width: cellWidth * sheetColumns,
    height: cellHeight * sheetRows,
  });

  if (request.lastFrame) {
    // Seek to just before the end and keep overwriting one image: what remains is the last frame.
    const lastFrame = path.join(request.workdir, 'last-frame.png');
    await runFfmpeg(
      binaries.ffmpeg,
      [...input, '-sseof', '-0.5', '-i', request.videoPath, '-update', '1', '-y', lastFrame],
      options,
    );
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
