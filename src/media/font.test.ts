import { describe, expect, it } from 'vitest';
import { locateFont, systemFontCandidates } from './font.ts';

describe('locateFont', () => {
  it('uses an explicit override', () => {
    const packaged = locateFont({ systemCandidates: [] });
    expect(locateFont({ override: packaged, systemCandidates: systemFontCandidates })).toBe(packaged);
  });

  it('prefers the system DejaVu Sans', () => {
    expect(
      locateFont({
        systemCandidates: ['/nonexistent/font.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'],
      }),
    ).toBe('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');
  });

  it('falls back to the font in the dejavu-fonts-ttf npm package', () => {
    expect(locateFont({ systemCandidates: [] })).toMatch(
      /node_modules\/dejavu-fonts-ttf\/ttf\/DejaVuSans\.ttf$/,
    );
  });

  it('fails clearly when the override is missing or nothing is found', () => {
    expect(() => locateFont({ override: '/nonexistent/caption.ttf' })).toThrow(
      /"\/nonexistent\/caption.ttf" does not exist/,
    );
    expect(() => locateFont({ systemCandidates: [], allowPackaged: false })).toThrow(/no caption font found/);
  });
});
