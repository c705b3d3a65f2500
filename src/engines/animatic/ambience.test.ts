import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveFfmpegBinaries } from '../../media/ffmpeg-binaries.ts';
import { ambienceSampleRate, designAmbience, tremoloRates } from './ambience.ts';
import { paletteNames, palettes, type PaletteName } from './palettes.ts';
import { settingNames } from './scene-settings.ts';
import { createSeededRandom } from './seeded-random.ts';

const run = promisify(execFile);

function design(setting: (typeof settingNames)[number], palette: PaletteName, seed: number, rain = false) {
  return designAmbience(
    {
      setting,
      palette: palettes[palette],
      weather: rain ? 'rain' : 'clear',
      random: createSeededRandom('ambience-test', seed),
      durationSeconds: 0.5,
      sampleCount: ambienceSampleRate / 2,
    },
    'out',
  );
}

describe('designAmbience', () => {
  it('only uses tremolo rates that divide the sample rate exactly', () => {
    for (const rate of tremoloRates) expect(Number.isInteger(ambienceSampleRate / rate)).toBe(true);
    for (const setting of settingNames) {
      for (const palette of paletteNames) {
        for (const seed of [1, 2, 3]) {
          for (const match of design(setting, palette, seed, seed === 3).graph.matchAll(
            /tremolo=f=([\d.]+)/g,
          )) {
            expect(tremoloRates).toContain(Number(match[1]));
          }
        }
      }
    }
  });

  it('is deterministic and describes what it made', () => {
    expect(design('forest', 'night', 5)).toEqual(design('forest', 'night', 5));
    expect(design('forest', 'night', 5).graph).not.toBe(design('forest', 'night', 6).graph);
    expect(design('forest', 'night', 5).description).toMatchObject({ bed: 'leaves', details: ['crickets'] });
    expect(design('city', 'neon', 5, true).description.details).toEqual(['electrical hum', 'rain']);
  });

  it.each([
    ['system ffmpeg 5.1', resolveFfmpegBinaries({ searchPath: '/usr/bin:/bin' }).ffmpeg],
    ['2018 static ffmpeg from npm', resolveFfmpegBinaries({ searchPath: '' }).ffmpeg],
  ])('runs every setting with %s and ends exactly on the requested sample', async (_, ffmpeg) => {
    const looks: PaletteName[] = ['night', 'neon', 'golden-hour', 'underwater'];
    for (const [index, setting] of settingNames.entries()) {
      const palette = looks[index % looks.length] ?? 'night';
      const { graph } = design(setting, palette, index, index % 2 === 0);
      // A crash (the 2018 build corrupts its heap on some filter settings) rejects here.
      const { stdout } = await run(
        ffmpeg,
        [...['-v', 'error', '-nostdin', '-filter_complex', graph, '-map', '[out]', '-f', 's16le', '-']],
        { encoding: 'buffer', maxBuffer: 1 << 22 },
      );
      // Stereo 16-bit: four bytes per sample.
      expect(stdout.length).toBe((ambienceSampleRate / 2) * 4);
    }
  });
});
