import { describe, expect, it } from 'vitest';
import { randomSeed, uuidv7 } from './ids.ts';

describe('uuidv7', () => {
  it('is a version-7, variant-1 UUID whose first 48 bits are the time', () => {
    const id = uuidv7(0x0123456789ab);
    expect(id).toMatch(/^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never repeats and sorts by time', () => {
    const ids = Array.from({ length: 5000 }, (_, index) => uuidv7(1_700_000_000_000 + index));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws non-negative 31-bit seeds', () => {
    const seeds = Array.from({ length: 1000 }, () => randomSeed());
    expect(seeds.every((seed) => Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31)).toBe(true);
    expect(new Set(seeds).size).toBeGreaterThan(990);
  });
});
