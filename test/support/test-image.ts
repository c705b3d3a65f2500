import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '../../src/media/ffmpeg-binaries.ts';

/**
 * Writes a still of ffmpeg's test pattern (a valid input image: within the size and aspect
 * limits) to `file`, for tests that upload or reference a first frame.
 */
export async function writeTestImage(file: string, size = '640x480'): Promise<string> {
  const { ffmpeg } = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });
  await promisify(execFile)(
    ffmpeg,
    ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}`].concat(['-frames:v', '1', '-y', file]),
  );
  return file;
}
