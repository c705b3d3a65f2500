import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveFfmpegBinaries } from '../media/ffmpeg-binaries.ts';
import { probeVideoFacts } from './probe-video-facts.ts';

const binaries = resolveFfmpegBinaries({ searchPath: process.env['PATH'] });

describe('probeVideoFacts', () => {
  it("reports an output ffprobe cannot read as the engine's output_invalid, not as a refused input", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-probe-output-'));
    const file = path.join(folder, 'video.mp4');
    await writeFile(file, 'not a video at all\n');
    await expect(probeVideoFacts(binaries, file, new AbortController().signal)).rejects.toMatchObject({
      code: 'output_invalid',
      message: expect.stringMatching(/^the engine produced a file ffprobe cannot read/) as unknown,
    });
  });
});
