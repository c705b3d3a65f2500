import { describe, expect, it } from 'vitest';
import { planPrompt } from './prompt-plan.ts';
import type { DecodedAudio } from './reference-audio.ts';
import { levelGain, placeMusic } from './soundtrack.ts';

const audio = (durationSeconds: number): DecodedAudio => ({
  path: '/tmp/a.f32',
  sampleRate: 48_000,
  channels: 2,
  durationSeconds,
  peak: 0.5,
  rms: 0.1,
});
const timing = { fps: 24, durationSeconds: 10 };
const place = (prompt: string, audios: readonly DecodedAudio[]) =>
  placeMusic(prompt, planPrompt(prompt, { seed: 1, fps: 24, frameCount: 240 }), audios, timing).map(
    ({ audioIndex, startSeconds }) => [audioIndex, startSeconds],
  );

describe('placeMusic', () => {
  it('plays reference audio one clip after another, in the order the prompt names them', () => {
    expect(place('A party', [audio(3), audio(4)])).toEqual([
      [0, 0],
      [1, 3],
    ]);
    expect(place('Music from [Audio 2] first', [audio(3), audio(4)])).toEqual([
      [1, 0],
      [0, 4],
    ]);
  });

  it('starts a clip at the time-coded shot that names it, and leaves out what would start after the end', () => {
    expect(place('[0-6s]: a street. [6-10s]: the club, @Audio 1 kicks in', [audio(3), audio(8)])).toEqual([
      [0, 6],
      [1, 0],
    ]);
    expect(place('A party', [audio(6), audio(5), audio(2)])).toEqual([
      [0, 0],
      [1, 6],
    ]);
  });
});

describe('levelGain', () => {
  it('brings a source to its loudness target unless that would pass its peak ceiling', () => {
    expect(levelGain({ rms: 0.05, peak: 0.2 }, { rms: 0.1, peak: 0.5 })).toBeCloseTo(2);
    expect(levelGain({ rms: 0.05, peak: 0.4 }, { rms: 0.1, peak: 0.5 })).toBeCloseTo(1.25);
    expect(levelGain({ rms: 0, peak: 0 }, { rms: 0.1, peak: 0.5 })).toBe(0);
  });
});
