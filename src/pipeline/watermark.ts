import { escapeFilterValue } from '../media/filter-escape.ts';

/** The words of the visible mark: what the video is, in the plainest terms. */
export const watermarkText = 'AI generated';

/** Where the mark sits and how big it is, in output pixels (recorded in the job's metadata). */
export interface WatermarkPlacement {
  readonly text: string;
  readonly corner: 'bottom-right';
  readonly fontSize: number;
  readonly margin: number;
}

/**
 * The mark for a video of this size: a text line about 4 % of the shorter side high (at least
 * 12 px, so it stays legible at 480p portrait), inset by the same amount from the bottom-right
 * corner, where captions and subjects are least often placed.
 */
export function watermarkPlacement(width: number, height: number): WatermarkPlacement {
  const shorter = Math.min(width, height);
  const fontSize = Math.max(12, Math.round(shorter * 0.04));
  return { text: watermarkText, corner: 'bottom-right', fontSize, margin: Math.round(fontSize * 0.8) };
}

/**
 * The `drawtext` filter that draws the mark: semi-transparent white text on a faint dark box, so
 * it reads on light and dark pictures alike without hiding them. Only options the 2018 static
 * ffmpeg already had (fontfile, text, expansion, box, boxborderw, alpha colours) are used, and the
 * font is a file (no fontconfig), so the same pixels come out of both ffmpeg builds' filters.
 */
export function watermarkFilter(fontFile: string, placement: WatermarkPlacement): string {
  const border = Math.max(2, Math.round(placement.fontSize * 0.25));
  const inset = placement.margin + border;
  return [
    `drawtext=fontfile=${escapeFilterValue(fontFile)}`,
    `text=${escapeFilterValue(placement.text)}`,
    'expansion=none',
    `fontsize=${placement.fontSize}`,
    'fontcolor=white@0.75',
    'box=1',
    'boxcolor=black@0.35',
    `boxborderw=${border}`,
    `x=w-text_w-${inset}`,
    `y=h-text_h-${inset}`,
  ].join(':');
}
