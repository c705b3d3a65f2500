import { describe, expect, it } from 'vitest';
import { createSeededRandom, hashText } from './seeded-random.ts';

describe('createSeededRandom', () => {
  it('repeats the same sequence for the same keys and differs for other keys', () => {
    const draw = (...keys: (string | number)[]) => {
      const random = createSeededRandom(...keys);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw('a', 1)).toEqual(draw('a', 1));
    expect(draw('a', 1)).not.toEqual(draw('a', 2));
    expect(draw('a', 2 ** 40)).not.toEqual(draw('a', 2 ** 40 + 1));
  });

  it('stays within the asked ranges', () => {
    const random = createSeededRandom('ranges');
    for (let index = 0; index < 1000; index += 1) {
      const value = random.between(-2, 3);
      expect(value).toBeGreaterThanOrEqual(-2);
      expect(value).toBeLessThan(3);
      expect([4, 5, 6]).toContain(random.integer(4, 6));
    }
    expect(() => random.pick([])).toThrow(RangeError);
  });

  it('forks independent streams', () => {
    const first = createSeededRandom('fork');
    const second = createSeededRandom('fork');
    second.next();
    expect(first.fork('a').next()).toBe(second.fork('a').next());
    expect(first.fork('a').next()).not.toBe(first.fork('b').next());
  });

  it('hashes text to 32 bits', () => {
    expect(hashText('animatic')).toBe(hashText('animatic'));
    expect(hashText('animatic')).toBeLessThan(2 ** 32);
    expect(hashText('animatic')).not.toBe(hashText('animatik'));
  });
});
