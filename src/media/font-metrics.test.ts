import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveFfmpegBinaries } from './ffmpeg-binaries.ts';
import { escapeFilterValue } from './filter-escape.ts';
import { loadFontMetrics, parseFontMetrics } from './font-metrics.ts';
import { locateFont } from './font.ts';

const run = promisify(execFile);
const fontFile = locateFont();

describe('loadFontMetrics', () => {
  it('reads DejaVu Sans advance widths from the font tables', () => {
    const metrics = loadFontMetrics(fontFile);
    // DejaVu Sans has 2048 units per em: at 2048 px an advance is its raw value.
    expect(metrics.measure(' ', 2048)).toBe(651);
    expect(metrics.measure('A', 2048)).toBe(1401);
    expect(metrics.measure('AA', 2048)).toBe(2802);
    expect(metrics.ascender).toBeCloseTo(0.928, 3);
    expect(metrics.descender).toBeCloseTo(-0.236, 3);
    expect(metrics.hasGlyph('é'.codePointAt(0) ?? 0)).toBe(true);
    expect(metrics.hasGlyph(0x4e2d)).toBe(false);
  });

  it('measures text about as wide as drawtext renders it', async () => {
    const text = 'Waves crash below the lighthouse';
    const fontSize = 32;
    const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-metrics-'));
    try {
      const textFile = path.join(folder, 'text.txt');
      await writeFile(textFile, text);
      const width = 800;
      const { stdout } = await run(
        resolveFfmpegBinaries({ searchPath: '/usr/bin:/bin' }).ffmpeg,
        [
          ...['-v', 'error', '-nostdin', '-f', 'lavfi', '-i', `color=c=black:s=${width}x64`, '-vf'],
          `drawtext=fontfile=${escapeFilterValue(fontFile)}:textfile=${escapeFilterValue(textFile)}:fontsize=${fontSize}:fontcolor=white:x=10:y=10,format=gray`,
          ...['-frames:v', '1', '-f', 'rawvideo', '-'],
        ],
        { encoding: 'buffer', maxBuffer: 1 << 20 },
      );
      let first = width;
      let last = 0;
      stdout.forEach((value, index) => {
        if (value < 128) return;
        first = Math.min(first, index % width);
        last = Math.max(last, index % width);
      });
      const inked = last - first + 1;
      const measured = loadFontMetrics(fontFile).measure(text, fontSize);
      // Ink is narrower than the advances by the side bearings of the first and last glyphs.
      expect(measured).toBeGreaterThanOrEqual(inked);
      expect(measured - inked).toBeLessThan(fontSize * 0.5);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('rejects bytes that are not a font', () => {
    expect(() => parseFontMetrics(new Uint8Array(8), 'junk')).toThrow(/junk: not a TrueType font/);
    const font = readFileSync(fontFile);
    expect(() => parseFontMetrics(font.subarray(0, 40), 'cut')).toThrow(/cut/);
  });
});
