import { describe, expect, it } from 'vitest';
import { extractTextFlags } from './legacy-text-flags.ts';

describe('extractTextFlags', () => {
  it('parses every legacy flag and strips it from the prompt', () => {
    const extracted = extractTextFlags(
      'A kitten yawns. --rs 720p --dur 5 --rt 16:9 --seed 11 --wm false --cf true --fps 24',
      'content[0].text',
    );
    expect(extracted.issues).toEqual([]);
    expect(extracted.prompt).toBe('A kitten yawns.');
    expect(extracted.flags).toEqual({
      resolution: '720p',
      duration: 5,
      ratio: '16:9',
      seed: 11,
      watermark: false,
      camera_fixed: true,
    });
    expect(extracted.flagNames).toMatchObject({ resolution: '--rs', duration: '--dur' });
  });

  it('knows the long spellings and frames, and keeps text that only looks like a flag', () => {
    const extracted = extractTextFlags(
      'A -- B --resolution 480p --duration -1 --frames 121 --tempo fast',
      'p',
    );
    expect(extracted.flags).toEqual({ resolution: '480p', duration: -1, frames: 121 });
    expect(extracted.prompt).toBe('A -- B --tempo fast');
  });

  it('reports bad values and any fps but 24, naming the text path and the flag', () => {
    const extracted = extractTextFlags('x --dur five --wm maybe --fps 30', 'content[1].text');
    expect(extracted.issues.map((issue) => issue.field)).toEqual([
      'content[1].text',
      'content[1].text',
      'content[1].text',
    ]);
    expect(extracted.issues.map((issue) => issue.message).join(' | ')).toMatch(
      /--dur five is not valid.*--wm maybe is not valid.*--fps must be 24/,
    );
    expect(extracted.prompt).toBe('x');
  });
});
