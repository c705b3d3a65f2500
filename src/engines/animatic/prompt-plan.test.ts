import { describe, expect, it } from 'vitest';
import { planPrompt, splitTimeCodes } from './prompt-plan.ts';

const options = { seed: 42, fps: 24, frameCount: 120 };

describe('planPrompt', () => {
  it('makes one shot captioned with the whole prompt when there are no time codes', () => {
    const plan = planPrompt('A lighthouse on a cliff at golden hour, slow push in', options);
    expect(plan.timeCoded).toBe(false);
    expect(plan.shots).toHaveLength(1);
    expect(plan.shots[0]).toMatchObject({
      startFrame: 0,
      frameCount: 120,
      caption: 'A lighthouse on a cliff at golden hour, slow push in',
      palette: 'golden-hour',
      setting: 'sea',
      cameraMove: 'push-in',
      choices: { palette: 'prompt', setting: 'prompt', cameraMove: 'prompt' },
    });
  });

  it.each([
    ['neon signs in a rainy alley at night', 'neon'],
    ['a sunset over the bay', 'sunset'],
    ['first light at dawn', 'dawn'],
    ['a quiet moonlit lake', 'night'],
    ['an overcast beach', 'overcast'],
    ['a diver above a coral reef', 'underwater'],
    ['a mossy forest path', 'forest'],
    ['a village in winter', 'snow'],
    ['dunes in the desert', 'desert'],
    ['a park at midday', 'daylight'],
  ])('reads the mood of "%s" as %s', (prompt, palette) => {
    expect(planPrompt(prompt, options).shots[0]?.palette).toBe(palette);
  });

  it.each([
    ['slow dolly in on her face', 'push-in'],
    ['the camera zooms out to reveal the valley', 'pull-out'],
    ['pan left across the skyline', 'pan-left'],
    ['camera pans to the right', 'pan-right'],
    ['a tracking shot follows the runner', 'tracking'],
    ['orbit around the statue', 'orbit'],
    ['locked-off tripod shot of the street', 'static'],
    ['static shot, then the camera pushes in', 'static'],
  ])('reads the camera of "%s" as %s', (prompt, move) => {
    expect(planPrompt(prompt, options).shots[0]?.cameraMove).toBe(move);
  });

  it('draws the look and the move from the seed when the prompt names none, deterministically', () => {
    const first = planPrompt('a cat on a windowsill', options);
    expect(first).toEqual(planPrompt('a cat on a windowsill', options));
    expect(first.shots[0]?.choices).toEqual({ palette: 'seed', setting: 'seed', cameraMove: 'seed' });
    expect(first.shots[0]?.cameraMove).not.toBe('static');
    const looks = new Set(
      Array.from(
        { length: 40 },
        (_, seed) => planPrompt('a cat on a windowsill', { ...options, seed }).shots[0]?.palette,
      ),
    );
    expect(looks.size).toBeGreaterThan(2);
  });

  it('turns time codes into cuts covering the whole clip', () => {
    const plan = planPrompt(
      'Cinematic, 35mm. [0-2s]: A snowy peak at dawn, static. [2s-4s] A neon street at night, pan right. ' +
        '[4 - 5 s]: Close on a neon sign',
      options,
    );
    expect(plan.timeCoded).toBe(true);
    expect(plan.shots.map((shot) => [shot.startFrame, shot.frameCount])).toEqual([
      [0, 48],
      [48, 48],
      [96, 24],
    ]);
    expect(plan.shots.map((shot) => shot.caption)).toEqual([
      'A snowy peak at dawn, static.',
      'A neon street at night, pan right.',
      'Close on a neon sign',
    ]);
    expect(plan.shots.map((shot) => shot.palette)).toEqual(['dawn', 'neon', 'neon']);
    expect(plan.shots.map((shot) => shot.cameraMove).slice(0, 2)).toEqual(['static', 'pan-right']);
    expect(plan.shots[2]?.choices.palette).toBe('prompt');
  });

  it('starts the first shot at frame 0, drops shots past the end and sorts by start time', () => {
    const plan = planPrompt('[3-5s]: later [1-3s]: earlier [9-12s]: beyond the end', options);
    expect(plan.shots.map((shot) => [shot.startFrame, shot.frameCount, shot.caption])).toEqual([
      [0, 72, 'earlier'],
      [72, 48, 'later'],
    ]);
  });

  it('keeps at most 12 shots, the last running to the end', () => {
    const prompt = Array.from(
      { length: 20 },
      (_, index) => `[${index * 0.25}-${index * 0.25 + 0.25}s]: shot ${index}`,
    ).join(' ');
    const plan = planPrompt(prompt, options);
    expect(plan.shots).toHaveLength(12);
    expect(plan.shots.reduce((total, shot) => total + shot.frameCount, 0)).toBe(120);
    expect(plan.shots.at(-1)).toMatchObject({ startFrame: 66, caption: 'shot 11' });
  });

  it('uses the text before the first time code for shots that say nothing', () => {
    const plan = planPrompt('Golden hour on the coast, tracking. [0-1s]: a gull [1-2s]:', {
      ...options,
      frameCount: 48,
    });
    expect(plan.shots.map((shot) => [shot.palette, shot.setting, shot.cameraMove])).toEqual([
      ['golden-hour', 'sea', 'tracking'],
      ['golden-hour', 'sea', 'tracking'],
    ]);
    expect(plan.shots[1]?.caption).toBe('Golden hour on the coast, tracking.');
  });
});

describe('splitTimeCodes', () => {
  it('accepts the usual spellings', () => {
    const { timed } = splitTimeCodes('[0-4s]: a (4s–6s) b [6 - 8 sec] c [0:08-0:10]: d');
    expect(timed.map((shot) => [shot.startSeconds, shot.text])).toEqual([
      [0, 'a'],
      [4, 'b'],
      [6, 'c'],
      [8, 'd'],
    ]);
  });

  it('leaves prompts without time codes alone', () => {
    expect(splitTimeCodes('a [bracketed] remark and (parentheses)')).toEqual({ preamble: '', timed: [] });
  });
});
