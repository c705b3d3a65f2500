import { describe, expect, it } from 'vitest';
import { planEditLayout } from './edit-layout.ts';

const size = { width: 1280, height: 720 };

describe('planEditLayout', () => {
  it('replaces a middle region by default and on "replace"/"swap" words', () => {
    for (const prompt of ['Make it nicer', 'Replace the bottle with the perfume', 'swap the hat']) {
      const layout = planEditLayout(prompt, [0], size);
      expect(layout).toMatchObject({ style: 'replace', horizontal: 'centre', vertical: 'middle' });
      expect(layout.composites).toEqual([
        {
          imageIndex: 0,
          style: 'replace',
          rectangle: { x: 384, y: 180, width: 512, height: 360 },
          border: 0,
        },
      ]);
    }
    expect(planEditLayout('Make it nicer', [0], size).styleSource).toBe('default');
  });

  it('makes a framed inset for "overlay", top right unless the prompt places it', () => {
    const inset = planEditLayout('Overlay the logo', [1], size);
    expect(inset).toMatchObject({
      style: 'overlay',
      styleSource: 'prompt',
      horizontal: 'right',
      vertical: 'top',
    });
    expect(inset.composites[0]).toMatchObject({
      imageIndex: 1,
      rectangle: { x: 846, y: 58, width: 358, height: 202 },
    });
    expect(inset.composites[0]?.border).toBeGreaterThanOrEqual(2);
    const placed = planEditLayout('Add a picture-in-picture at the bottom left', [0], size);
    expect(placed).toMatchObject({ horizontal: 'left', vertical: 'bottom' });
    expect(placed.composites[0]?.rectangle).toMatchObject({ x: 76, y: 720 - 58 - 202 });
  });

  it('lays several images side by side in a replaced region, stacked as insets, at most three', () => {
    const replaced = planEditLayout('replace the signs on the left', [2, 0, 1, 3], size);
    expect(replaced.composites.map((composite) => composite.imageIndex)).toEqual([2, 0, 1]);
    expect(replaced.composites.map((composite) => composite.rectangle.x)).toEqual([76, 246, 416]);
    const stacked = planEditLayout('overlay', [0, 1], size);
    expect(stacked.composites.map((composite) => composite.rectangle.y)).toEqual([58, 58 + 202 + 22]);
    for (const composite of [...replaced.composites, ...stacked.composites]) {
      for (const value of Object.values(composite.rectangle)) expect(value % 2).toBe(0);
    }
  });

  it('lets the first placement word win when both appear', () => {
    expect(planEditLayout('Overlay the badge, then replace the sky', [0], size).style).toBe('overlay');
    expect(planEditLayout('Replace the sky and add a badge', [0], size).style).toBe('replace');
  });
});
