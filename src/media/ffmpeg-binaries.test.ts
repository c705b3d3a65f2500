import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOnSearchPath, FfmpegNotFoundError, resolveFfmpegBinaries } from './ffmpeg-binaries.ts';

let folder: string;
let fakeBin: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-binaries-'));
  fakeBin = path.join(folder, 'bin');
  await mkdir(fakeBin);
  for (const tool of ['ffmpeg', 'ffprobe']) {
    await writeFile(path.join(fakeBin, tool), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(fakeBin, tool), 0o755);
  }
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('resolveFfmpegBinaries', () => {
  it('prefers configured paths over the PATH', () => {
    const binaries = resolveFfmpegBinaries({
      ffmpegPath: '/usr/bin/ffmpeg',
      ffprobePath: '/usr/bin/ffprobe',
      searchPath: fakeBin,
    });
    expect(binaries).toEqual({ ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'config' });
  });

  it('finds the binaries on the search PATH before the npm packages', () => {
    const binaries = resolveFfmpegBinaries({
      searchPath: ['', 'relative/bin', fakeBin, '/usr/bin'].join(path.delimiter),
    });
    expect(binaries).toEqual({
      ffmpeg: path.join(fakeBin, 'ffmpeg'),
      ffprobe: path.join(fakeBin, 'ffprobe'),
      source: 'system',
    });
  });

  it('falls back to the binaries shipped in the npm packages', () => {
    const binaries = resolveFfmpegBinaries({ searchPath: undefined });
    expect(binaries.source).toBe('npm');
    expect(binaries.ffmpeg).toMatch(/node_modules\/@ffmpeg-installer\/linux-x64\/ffmpeg$/);
    expect(binaries.ffprobe).toMatch(/node_modules\/@ffprobe-installer\/linux-x64\/ffprobe$/);
  });

  it('resolves each tool on its own', () => {
    const binaries = resolveFfmpegBinaries({ ffmpegPath: path.join(fakeBin, 'ffmpeg'), searchPath: '' });
    expect(binaries.source).toBe('config');
    expect(binaries.ffprobe).toMatch(/@ffprobe-installer/);
  });

  it('rejects a configured path that is not an executable file', async () => {
    const plain = path.join(folder, 'not-executable');
    await writeFile(plain, 'text');
    expect(() => resolveFfmpegBinaries({ ffmpegPath: plain, searchPath: '/usr/bin' })).toThrow(
      /FFMPEG_PATH is set to ".*not-executable", which is not an executable file/,
    );
    expect(() => resolveFfmpegBinaries({ ffprobePath: fakeBin, searchPath: '/usr/bin' })).toThrow(
      /FFPROBE_PATH/,
    );
  });

  it('says what to do when nothing is found', () => {
    const attempt = () =>
      resolveFfmpegBinaries({ searchPath: '', npmPackageDirectories: { ffmpeg: folder, ffprobe: folder } });
    expect(attempt).toThrow(FfmpegNotFoundError);
    expect(attempt).toThrow(/no ffmpeg found: set FFMPEG_PATH, install ffmpeg on the PATH/);
  });
});

describe('findOnSearchPath', () => {
  it('skips empty and relative entries and files without the execute bit', async () => {
    const other = path.join(folder, 'other');
    await mkdir(other);
    await writeFile(path.join(other, 'ffmpeg'), 'not executable');
    expect(findOnSearchPath('ffmpeg', `${other}${path.delimiter}${fakeBin}`)).toBe(
      path.join(fakeBin, 'ffmpeg'),
    );
    expect(findOnSearchPath('ffmpeg', `${path.delimiter}.`)).toBeUndefined();
    expect(findOnSearchPath('ffmpeg', undefined)).toBeUndefined();
  });
});
