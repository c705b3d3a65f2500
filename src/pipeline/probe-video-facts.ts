import { stat } from 'node:fs/promises';
import { AppError } from '../domain/app-error.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { probeMedia } from '../media/ffprobe.ts';
import type { VideoFacts } from './output-check.ts';

/** Ten seconds is far above a local ffprobe's 60–80 ms; it only guards against a hung child. */
const probeTimeoutMs = 10_000;

/**
 * Reads an engine's output with ffprobe. The video stream's own duration is used (frames ÷ fps
 * when the container records a frame count), because the container's duration also covers the
 * audio track's encoder padding. An output ffprobe cannot read is the engine's fault
 * (`output_invalid`), never the client's: probeMedia's `unsupported_media_input` speaks of inputs.
 */
export async function probeVideoFacts(
  binaries: FfmpegBinaries,
  file: string,
  signal: AbortSignal,
): Promise<VideoFacts> {
  const probe = await probeMedia(binaries, file, { timeoutMs: probeTimeoutMs, signal }).catch(
    (error: unknown) => {
      if (error instanceof AppError && error.code === 'unsupported_media_input') {
        throw new AppError(
          'output_invalid',
          `the engine produced a file ffprobe cannot read: ${error.message}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    },
  );
  const video = probe.video;
  if (video === undefined)
    throw new AppError('output_invalid', 'the engine produced a file with no video stream');
  const fps = video.fps ?? 0;
  const durationSeconds =
    video.frameCount !== undefined && fps > 0
      ? video.frameCount / fps
      : (video.durationSeconds ?? probe.durationSeconds ?? 0);
  return {
    videoCodec: video.codec,
    pixelFormat: video.pixelFormat ?? 'unknown',
    width: video.width,
    height: video.height,
    fps,
    durationSeconds,
    hasAudio: probe.audio !== undefined,
    audioCodec: probe.audio?.codec,
    bytes: probe.sizeBytes ?? (await stat(file)).size,
  };
}
