import { readFileSync } from 'node:fs';

/**
 * Horizontal metrics of a TrueType font, read from its `head`, `hhea`, `hmtx` and `cmap` tables.
 * Captions are wrapped and boxed in advance by measuring text the way drawtext will render it,
 * instead of guessing an average character width.
 */
export interface FontMetrics {
  /** Ascender and descender as shares of the font size (descender is negative). */
  readonly ascender: number;
  readonly descender: number;
  /** Width in pixels of `text` at `fontSize` pixels, with advances rounded per glyph like hinted FreeType. */
  measure(text: string, fontSize: number): number;
  /** Whether the font has a glyph for the code point (drawtext draws a box for the others). */
  hasGlyph(codePoint: number): boolean;
}

interface Tables {
  readonly view: DataView;
  readonly offsets: ReadonlyMap<string, number>;
}

const cache = new Map<string, FontMetrics>();

/** Loads (once per path) the metrics of a TrueType or OpenType-with-TrueType-outlines font file. */
export function loadFontMetrics(fontFile: string): FontMetrics {
  const cached = cache.get(fontFile);
  if (cached !== undefined) return cached;
  const metrics = parseFontMetrics(readFileSync(fontFile), fontFile);
  cache.set(fontFile, metrics);
  return metrics;
}

/** Parses font bytes; throws naming the file when a required table is missing or malformed. */
export function parseFontMetrics(bytes: Uint8Array, name = 'font'): FontMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = readTableDirectory(view, name);
  const head = requireTable(tables, 'head', name);
  const hhea = requireTable(tables, 'hhea', name);
  const hmtx = requireTable(tables, 'hmtx', name);
  const unitsPerEm = view.getUint16(head + 18);
  if (unitsPerEm === 0) throw new Error(`${name}: unitsPerEm is zero`);
  const ascender = view.getInt16(hhea + 4) / unitsPerEm;
  const descender = view.getInt16(hhea + 6) / unitsPerEm;
  const metricCount = view.getUint16(hhea + 34);
  const glyphOf = readCharacterMap(view, requireTable(tables, 'cmap', name), name);

  // Wrapping measures the same characters over and over: remember each one's advance.
  const advances = new Map<number, number>();
  const advanceOf = (codePoint: number): number => {
    let advance = advances.get(codePoint);
    if (advance === undefined) {
      const index = Math.min(glyphOf(codePoint), metricCount - 1);
      advance = view.getUint16(hmtx + index * 4) / unitsPerEm;
      advances.set(codePoint, advance);
    }
    return advance;
  };
  return {
    ascender,
    descender,
    measure(text, fontSize) {
      let width = 0;
      for (const character of text) width += Math.round(advanceOf(character.codePointAt(0) ?? 0) * fontSize);
      return width;
    },
    hasGlyph: (codePoint) => glyphOf(codePoint) !== 0,
  };
}

function readTableDirectory(view: DataView, name: string): Tables {
  if (view.byteLength < 12) throw new Error(`${name}: not a TrueType font`);
  const count = view.getUint16(4);
  const offsets = new Map<string, number>();
  for (let index = 0; index < count; index += 1) {
    const record = 12 + index * 16;
    if (record + 16 > view.byteLength) throw new Error(`${name}: truncated table directory`);
    const tag = String.fromCharCode(
      view.getUint8(record),
      view.getUint8(record + 1),
      view.getUint8(record + 2),
      view.getUint8(record + 3),
    );
    offsets.set(tag, view.getUint32(record + 8));
  }
  return { view, offsets };
}

function requireTable(tables: Tables, tag: string, name: string): number {
  const offset = tables.offsets.get(tag);
  if (offset === undefined || offset >= tables.view.byteLength) throw new Error(`${name}: no ${tag} table`);
  return offset;
}

/** Picks the Unicode subtable: full-repertoire format 12 if present, else the BMP format 4. */
function readCharacterMap(view: DataView, cmap: number, name: string): (codePoint: number) => number {
  const count = view.getUint16(cmap + 2);
  let format4: number | undefined;
  let format12: number | undefined;
  for (let index = 0; index < count; index += 1) {
    const record = cmap + 4 + index * 8;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const subtable = cmap + view.getUint32(record + 4);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    const format = view.getUint16(subtable);
    if (format === 12) format12 ??= subtable;
    if (format === 4) format4 ??= subtable;
  }
  if (format12 !== undefined) return format12Lookup(view, format12);
  if (format4 !== undefined) return format4Lookup(view, format4);
  throw new Error(`${name}: no Unicode character map`);
}

function format4Lookup(view: DataView, table: number): (codePoint: number) => number {
  const segments = view.getUint16(table + 6) / 2;
  const ends = table + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  return (codePoint) => {
    if (codePoint > 0xffff) return 0;
    for (let segment = 0; segment < segments; segment += 1) {
      if (view.getUint16(ends + segment * 2) < codePoint) continue;
      const start = view.getUint16(starts + segment * 2);
      if (start > codePoint) return 0;
      const delta = view.getUint16(deltas + segment * 2);
      const rangeOffsetAddress = rangeOffsets + segment * 2;
      const rangeOffset = view.getUint16(rangeOffsetAddress);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const glyphAddress = rangeOffsetAddress + rangeOffset + (codePoint - start) * 2;
      if (glyphAddress + 2 > view.byteLength) return 0;
      const glyph = view.getUint16(glyphAddress);
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

function format12Lookup(view: DataView, table: number): (codePoint: number) => number {
  const groups = view.getUint32(table + 12);
  return (codePoint) => {
    let low = 0;
    let high = groups - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const group = table + 16 + middle * 12;
      const start = view.getUint32(group);
      const end = view.getUint32(group + 4);
      if (codePoint < start) high = middle - 1;
      else if (codePoint > end) low = middle + 1;
      else return view.getUint32(group + 8) + (codePoint - start);
    }
    return 0;
  };
}
