import { describe, expect, it } from 'vitest';
import { textRequest } from '../../test/support/text-request.ts';
import { defaultCatalog } from './model-catalog.ts';
import { parsePriceOverrides, unitPriceOf, withPrices } from './price-table.ts';

describe('price table', () => {
  const catalog = defaultCatalog();

  it('applies operator prices by id or alias, per resolution, with or without audio', () => {
    const overrides = parsePriceOverrides(
      JSON.stringify({
        'seedance-fast': { '720p': { silent: 0.2, audio: 0.3 } },
        'bytedance/seedance-2.0/pro': { '480p': 0.05 },
      }),
      catalog,
    );
    const priced = withPrices(catalog, overrides);
    const fast = priced.get('bytedance/seedance-v2/fast').spec;
    expect(unitPriceOf(fast, { resolution: '720p', generateAudio: false })).toBe(0.2);
    expect(unitPriceOf(fast, { resolution: '720p', generateAudio: true })).toBe(0.3);
    // Resolutions left out keep the catalog's price, with and without audio.
    const defaultFast = catalog.get('bytedance/seedance-v2/fast').spec;
    expect(unitPriceOf(fast, { ...textRequest(), resolution: '1080p' })).toBe(
      defaultFast.pricePerSecondUsd['1080p'],
    );
    const pro = priced.get('seedance-pro').spec;
    expect(unitPriceOf(pro, { resolution: '480p', generateAudio: true })).toBe(0.05);
    expect(withPrices(catalog, {})).toBe(catalog);
  });

  it('charges the seed price at 720p by default, audio or not', () => {
    const spec = catalog.get('bytedance/seedance-v2/fast').spec;
    expect(unitPriceOf(spec, { resolution: '720p', generateAudio: true })).toBe(0.2419);
    expect(unitPriceOf(spec, { resolution: '720p', generateAudio: false })).toBe(0.2419);
  });

  it.each([
    ['not json', /is not valid JSON/],
    ['{"no-such-model": {"720p": 1}}', /names model "no-such-model", which is not in the catalog/],
    [
      '{"seedance-pro": {"1080p": 1}}',
      /prices bytedance\/seedance-2.0\/pro at 1080p, which it does not generate/,
    ],
    ['{"seedance-fast": {"720p": -1}}', /at seedance-fast\.720p/],
    ['{"seedance-fast": {"4k": 1}}', /at seedance-fast/],
    ['{"seedance-fast": {"720p": {"silent": 1}}}', /at seedance-fast\.720p/],
  ])('refuses %s', (text, message) => {
    expect(() => parsePriceOverrides(text, catalog)).toThrow(message);
  });
});
