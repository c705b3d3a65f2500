import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpegBinaries } from './ffmpeg-binaries.ts';
import { escapeFilterValue } from './filter-escape.ts';
import { locateFont } from './font.ts';

const run = promisify(execFile);
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-escape-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('escapeFilterValue', () => {
  it('escapes for the option level, then for the graph level', () => {
    expect(escapeFilterValue('/fonts/plain.ttf')).toBe('/fonts/plain.ttf');
    expect(escapeFilterValue('C:\\a')).toBe('C\\\\:\\\\\\\\a');
    expect(escapeFilterValue("it's")).toBe("it\\\\\\'s");
    expect(escapeFilterValue('a,b;[c]')).toBe('a\\,b\\;\\[c\\]');
  });

  it.each([
    ['the system ffmpeg', resolveFfmpegBinaries({ searchPath: '/usr/bin:/bin' }).ffmpeg],
    ['the 2018 npm ffmpeg', resolveFfmpegBinaries({ searchPath: '' }).ffmpeg],
  ])('lets %s open a font and a text file in a folder full of special characters', async (_, ffmpeg) => {
    const awkward = path.join(folder, `it's: odd, [really]; \\ folder ${Math.random()}`);
    await mkdir(awkward);
    const font = path.join(awkward, 'font.ttf');
    const text = path.join(awkward, 'caption.txt');
    await copyFile(locateFont(), font);
    await writeFile(text, "Hello: 100% [ok], it's fine");
    const graph =
      `color=c=black:s=160x90:d=0.1,drawtext=fontfile=${escapeFilterValue(font)}` +
      `:textfile=${escapeFilterValue(text)}:expansion=none:fontcolor=white:fontsize=12`;
    await expect(
      run(ffmpeg, ['-v', 'error', '-nostdin', '-filter_complex', graph, '-frames:v', '1', '-f', 'null', '-']),
    ).resolves.toBeDefined();
  });
});
