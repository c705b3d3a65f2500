import type { FontMetrics } from '../../media/font-metrics.ts';

/** Where and how big the caption of one shot is drawn, in output pixels. */
export interface CaptionLayout {
  readonly fontSize: number;
  readonly lines: readonly string[];
  /** Baseline of each line, from the top of the frame. */
  readonly baselines: readonly number[];
  /** The translucent box behind all lines. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

/** The frame a caption is laid out in and the font it is measured with. */
export interface CaptionLayoutOptions {
  readonly width: number;
  readonly height: number;
  readonly metrics: FontMetrics;
}

const ellipsis = '…';

/**
 * Lays a caption out in the lower third: wrapped on words to at most 84% of the frame width,
 * three lines (five on portrait frames), shrinking the type down to 72% before cutting the text
 * with an ellipsis. Returns undefined for an empty caption.
 */
export function layoutCaption(text: string, options: CaptionLayoutOptions): CaptionLayout | undefined {
  const clean = sanitiseCaption(text);
  if (clean === '') return undefined;
  const { width, height, metrics } = options;
  const baseSize = Math.max(12, Math.round(Math.min(height * 0.045, width * 0.055)));
  const maximumWidth = Math.floor(width * 0.84);
  const maximumLines = height > width ? 5 : 3;

  let fontSize = baseSize;
  let lines = wrap(clean, maximumWidth, fontSize, metrics);
  for (let step = 1; lines.length > maximumLines && step <= 4; step += 1) {
    fontSize = Math.round(baseSize * (1 - step * 0.07));
    lines = wrap(clean, maximumWidth, fontSize, metrics);
  }
  if (lines.length > maximumLines) {
    lines = lines.slice(0, maximumLines);
    const last = lines.length - 1;
    lines[last] = truncate(lines[last] ?? '', maximumWidth, fontSize, metrics);
  }

  const lineHeight = Math.round(fontSize * 1.32);
  const paddingX = Math.round(fontSize * 0.6);
  const paddingY = Math.round(fontSize * 0.35);
  const textWidth = Math.max(...lines.map((line) => metrics.measure(line, fontSize)));
  const boxWidth = Math.min(width, textWidth + paddingX * 2);
  const boxHeight = lines.length * lineHeight + paddingY * 2;
  const boxY = Math.round(height * 0.94) - boxHeight;
  // Centre each line in its line box: half the leftover leading above the ascender.
  const firstBaseline =
    boxY +
    paddingY +
    Math.round(
      (lineHeight - fontSize * (metrics.ascender - metrics.descender)) / 2 + fontSize * metrics.ascender,
    );
  return {
    fontSize,
    lines,
    baselines: lines.map((_, index) => firstBaseline + index * lineHeight),
    box: { x: Math.round((width - boxWidth) / 2), y: boxY, width: boxWidth, height: boxHeight },
  };
}

/** One line of plain text: no control characters, no line breaks, single spaces. */
export function sanitiseCaption(text: string): string {
  const printable = [...text].map((character) =>
    isControl(character.codePointAt(0) ?? 0) ? ' ' : character,
  );
  return printable.join('').replace(/\s+/g, ' ').trim();
}

function isControl(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029
  );
}

function wrap(text: string, maximumWidth: number, fontSize: number, metrics: FontMetrics): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (metrics.measure(candidate, fontSize) <= maximumWidth) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    current = word;
    // A word wider than a line (a URL, a long compound) is broken between characters.
    while (metrics.measure(current, fontSize) > maximumWidth) {
      const characters = [...current];
      let fit = 1;
      while (
        fit < characters.length &&
        metrics.measure(characters.slice(0, fit + 1).join(''), fontSize) <= maximumWidth
      ) {
        fit += 1;
      }
      lines.push(characters.slice(0, fit).join(''));
      current = characters.slice(fit).join('');
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}

function truncate(line: string, maximumWidth: number, fontSize: number, metrics: FontMetrics): string {
  const characters = [...line];
  while (
    characters.length > 0 &&
    metrics.measure(`${characters.join('')}${ellipsis}`, fontSize) > maximumWidth
  ) {
    characters.pop();
  }
  return `${characters.join('').trimEnd()}${ellipsis}`;
}
