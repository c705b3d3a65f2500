import { describe, expect, it } from 'vitest';
import { loadFontMetrics } from '../../media/font-metrics.ts';
import { locateFont } from '../../media/font.ts';
import { layoutCaption, sanitiseCaption } from './caption-layout.ts';

const metrics = loadFontMetrics(locateFont());

describe('layoutCaption', () => {
  it('keeps a short caption on one centred line in the lower third', () => {
    const layout = layoutCaption('A lighthouse at dusk', { width: 1280, height: 720, metrics });
    expect(layout?.lines).toEqual(['A lighthouse at dusk']);
    expect(layout?.fontSize).toBe(32);
    const box = layout?.box;
    expect(box).toBeDefined();
    if (box === undefined) return;
    expect(Math.abs(box.x + box.width / 2 - 640)).toBeLessThanOrEqual(1);
    expect(box.y).toBeGreaterThan(720 * 0.66);
    expect(box.y + box.height).toBeLessThanOrEqual(720);
  });

  it('wraps long prompts on words within 84% of the width, then cuts with an ellipsis', () => {
    const prompt = Array.from(
      { length: 12 },
      (_, index) => `a long sentence number ${index} about the sea`,
    ).join(' ');
    const layout = layoutCaption(prompt, { width: 864, height: 496, metrics });
    expect(layout?.lines).toHaveLength(3);
    for (const line of layout?.lines ?? []) {
      expect(metrics.measure(line, layout?.fontSize ?? 0)).toBeLessThanOrEqual(864 * 0.84);
    }
    expect(layout?.lines.at(-1)).toMatch(/…$/);
    expect(layout?.fontSize).toBeLessThan(22);
  });

  it('allows more lines on portrait frames and breaks words longer than a line', () => {
    const layout = layoutCaption(`see https://example.com/${'x'.repeat(120)} now`, {
      width: 496,
      height: 864,
      metrics,
    });
    expect(layout?.lines.length).toBeGreaterThan(1);
    expect(layout?.lines.length).toBeLessThanOrEqual(5);
    expect(layout?.baselines).toHaveLength(layout?.lines.length ?? 0);
  });

  it('draws nothing for an empty caption', () => {
    expect(layoutCaption(' \n\t ', { width: 640, height: 640, metrics })).toBeUndefined();
  });
});

describe('sanitiseCaption', () => {
  it('removes control characters and line breaks', () => {
    expect(sanitiseCaption('one\ntwo\u0007 three\u2028four  ')).toBe('one two three four');
  });
});
