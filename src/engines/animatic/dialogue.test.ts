import { describe, expect, it } from 'vitest';
import type { SpeechClip } from '../../media/speech-synthesis.ts';
import { findDialogue, languageOf, placeDialogue, type DialogueLine } from './dialogue.ts';
import { planPrompt } from './prompt-plan.ts';

const timing = { fps: 24, seed: 5 };
const plan = (prompt: string) => planPrompt(prompt, { seed: 5, fps: 24, frameCount: 240 });
const lines = (prompt: string) => findDialogue(prompt, plan(prompt), timing);

describe('findDialogue', () => {
  it('finds every quoted line, in order, in the quotation marks prompts use', () => {
    const prompt =
      'She says "Hello there" and he answers “Not now.” Then „Genug!“, «Allez», 「行こう」 and 『はい、どうぞ』';
    expect(lines(prompt).map((line) => line.text)).toEqual([
      'Hello there',
      'Not now.',
      'Genug!',
      'Allez',
      '行こう',
      'はい、どうぞ',
    ]);
  });

  it('skips quotes that are labels, not speech, and keeps at most eight lines', () => {
    expect(lines('A sign reading "A" and a "4K" badge')).toEqual([]);
    expect(lines(Array.from({ length: 10 }, (_, index) => `"line number ${index}"`).join(' '))).toHaveLength(
      8,
    );
  });

  it('waits for the time-coded shot that quotes a line; one voice, chosen by the seed, for the clip', () => {
    const found = lines('[0-3s]: A kitchen. "Morning." [3-6s]: The door. "Who is there?"');
    expect(found.map((line) => line.earliestSeconds)).toEqual([0.3, 3.3]);
    expect(new Set(found.map((line) => line.voice)).size).toBe(1);
    expect(found[0]?.voice).toMatch(/^en-us\+[mf]\d$/);
  });

  it('speaks each line in the language of its script', () => {
    expect(languageOf('Hello')).toBe('en-us');
    expect(languageOf('我们走吧')).toBe('cmn');
    expect(languageOf('行こう、はやく')).toBe('ja');
    expect(languageOf('안녕하세요')).toBe('ko');
    expect(languageOf('Привет')).toBe('ru');
  });
});

describe('placeDialogue', () => {
  const line = (earliestSeconds: number): DialogueLine => ({
    text: 'x',
    voice: 'en-us+m3',
    wordsPerMinute: 165,
    earliestSeconds,
  });
  const clip = (durationSeconds: number): SpeechClip => ({
    path: '/tmp/x.wav',
    sampleRate: 22_050,
    sampleCount: Math.round(durationSeconds * 22_050),
    durationSeconds,
    peak: 0.5,
    rms: 0.1,
  });

  it('puts lines one after another with a gap, cuts the one that runs past the end, drops the late one', () => {
    const placed = placeDialogue(
      [
        { line: line(0.3), clip: clip(1.5) },
        { line: line(0.3), clip: clip(2) },
        { line: line(3.5), clip: clip(2) },
        { line: line(0), clip: clip(1) },
      ],
      5,
    );
    expect(
      placed.map(({ startSeconds, endSeconds, truncated }) => ({
        startSeconds: Number(startSeconds.toFixed(6)),
        endSeconds: Number(endSeconds.toFixed(6)),
        truncated,
      })),
    ).toEqual([
      { startSeconds: 0.3, endSeconds: 1.8, truncated: false },
      { startSeconds: 2.1, endSeconds: 4.1, truncated: false },
      { startSeconds: 4.4, endSeconds: 5, truncated: true },
    ]);
  });
});
