import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '../../src/media/ffmpeg-binaries.ts';

const run = promisify(execFile);
// Only locating the binary uses project code; the probing itself is ffprobe's own.
const ffprobe = resolveFfmpegBinaries({ searchPath: process.env['PATH'] }).ffprobe;

/** ffprobe's own view of a file, read independently of the code under test. */
export interface ProbedFile {
  readonly format: { readonly format_name: string; readonly duration: string };
  readonly streams: readonly {
    readonly codec_type: string;
    readonly codec_name: string;
    readonly width?: number;
    readonly height?: number;
    readonly pix_fmt?: string;
    readonly r_frame_rate?: string;
    readonly nb_frames?: string;
  }[];
}

export async function probeFile(file: string): Promise<ProbedFile> {
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    file,
  ]);
  return JSON.parse(stdout) as ProbedFile;
}
