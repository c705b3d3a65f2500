import type { PixelRectangle } from './image-framing.ts';

/**
 * How an edit puts a reference image into the footage: `replace` fills a region of the frame
 * with it (the object the prompt swaps out), `overlay` is a bordered picture-in-picture.
 */
export type CompositeStyle = 'replace' | 'overlay';

/** One reference image composited into every frame of an edit. */
export interface Composite {
  readonly imageIndex: number;
  readonly style: CompositeStyle;
  /** Where the image goes, border included, in output pixels (even, for 4:2:0). */
  readonly rectangle: PixelRectangle;
  /** Width of the white frame around a picture-in-picture; 0 for a replacement. */
  readonly border: number;
}

/** The composites of an edit, and where their style and place came from. */
export interface EditLayout {
  readonly style: CompositeStyle;
  readonly styleSource: 'prompt' | 'default';
  readonly horizontal: 'left' | 'centre' | 'right';
  readonly vertical: 'top' | 'middle' | 'bottom';
  readonly composites: readonly Composite[];
}

/** More images than this would shrink each below what a previz can show. */
export const maximumComposites = 3;

const replaceWords =
  /\b(replace[sd]?|replacing|swap(s|ped|ping)?|substitut(e|es|ed|ing)|instead of|exchange)\b|替换|换成/i;
const overlayWords =
  /\b(overlay|overlaid|picture[\s-]in[\s-]picture|pip|inset|corner|add|adds|added|insert|inserted|logo|sticker|badge)\b|叠加|画中画/i;

/**
 * Reads the edit's placement from the prompt: "replace", "swap", "instead of" → the image fills a
 * region; "overlay", "picture-in-picture", "corner", "add", "logo" → a framed inset. With neither
 * an edit replaces, since Seedance edits swap an object of the footage for the reference
 * ("Replace the water bottle … with the perfume bottle from the image"), and the subject of a shot
 * usually sits in the middle. "left"/"right" and "top"/"bottom" move the region; an overlay with
 * no place goes top right, clear of the caption. Images are laid side by side in the region (or
 * stacked, for insets), in the order given.
 */
export function planEditLayout(
  prompt: string,
  imageOrder: readonly number[],
  size: { readonly width: number; readonly height: number },
): EditLayout {
  const replaceAt = prompt.search(replaceWords);
  const overlayAt = prompt.search(overlayWords);
  const style: CompositeStyle =
    overlayAt >= 0 && (replaceAt < 0 || overlayAt < replaceAt) ? 'overlay' : 'replace';
  const styleSource = replaceAt >= 0 || overlayAt >= 0 ? 'prompt' : 'default';
  const text = prompt.toLowerCase();
  const has = (pattern: RegExp) => pattern.test(text);
  const horizontal = has(/\bleft\b/)
    ? 'left'
    : has(/\bright\b/)
      ? 'right'
      : style === 'overlay'
        ? 'right'
        : 'centre';
  const vertical = has(/\b(top|upper)\b/)
    ? 'top'
    : has(/\b(bottom|lower)\b/)
      ? 'bottom'
      : style === 'overlay'
        ? 'top'
        : 'middle';
  const images = imageOrder.slice(0, maximumComposites);
  const { width, height } = size;
  const even = (value: number) => Math.max(2, 2 * Math.round(value / 2));
  const margin = { x: even(width * 0.06), y: even(height * 0.08) };
  const place = (length: number, outer: number, side: 'start' | 'middle' | 'end', gap: number) =>
    side === 'start' ? gap : side === 'end' ? outer - length - gap : even((outer - length) / 2);
  const horizontalSide = horizontal === 'left' ? 'start' : horizontal === 'right' ? 'end' : 'middle';
  const verticalSide = vertical === 'top' ? 'start' : vertical === 'bottom' ? 'end' : 'middle';

  if (style === 'replace') {
    const region = { width: even(width * 0.4), height: even(height * 0.5) };
    const x = place(region.width, width, horizontalSide, margin.x);
    const y = place(region.height, height, verticalSide, margin.y);
    const columnWidth = even(region.width / Math.max(1, images.length));
    const composites = images.map((imageIndex, column) => ({
      imageIndex,
      style,
      rectangle: { x: x + column * columnWidth, y, width: columnWidth, height: region.height },
      border: 0,
    }));
    return { style, styleSource, horizontal, vertical, composites };
  }

  const inset = { width: even(width * 0.28), height: even(height * 0.28) };
  const border = even(Math.max(2, Math.min(width, height) / 180));
  const x = place(inset.width, width, horizontalSide, margin.x);
  const firstY = place(inset.height, height, verticalSide, margin.y);
  const step = (inset.height + even(height * 0.03)) * (vertical === 'bottom' ? -1 : 1);
  const composites = images.map((imageIndex, row) => ({
    imageIndex,
    style,
    rectangle: { x, y: Math.min(height - inset.height, Math.max(0, firstY + row * step)), ...inset },
    border,
  }));
  return { style, styleSource, horizontal, vertical, composites };
}
