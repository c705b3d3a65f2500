import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where Debian and Ubuntu put DejaVu Sans (package fonts-dejavu-core). */
export const systemFontCandidates: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
];

/** Where to look for the caption font. */
export interface LocateFontOptions {
  /** An explicit font file; used as is when it exists, an error when it does not. */
  readonly override?: string | undefined;
  /** System paths to try first; defaults to {@link systemFontCandidates}. */
  readonly systemCandidates?: readonly string[] | undefined;
  /** Whether to fall back to the `dejavu-fonts-ttf` npm package (default true). */
  readonly allowPackaged?: boolean | undefined;
}

/**
 * Returns the absolute path of a TrueType font for captions: the override if given, else the
 * system DejaVu Sans, else the DejaVu Sans that the `dejavu-fonts-ttf` npm package ships, so a
 * bare `npm ci` is enough. drawtext is pointed at a file on purpose instead of a fontconfig
 * family name: the 2018 static ffmpeg fallback has no usable fontconfig setup.
 *
 * The path goes into a filtergraph, where `:`, `\` and `'` (and `[ ] , ;`) are special: pass it
 * through `escapeFilterValue` from `filter-escape.ts` before putting it in `fontfile=`.
 */
export function locateFont(options: LocateFontOptions = {}): string {
  if (options.override !== undefined && options.override.trim() !== '') {
    const absolute = path.resolve(options.override);
    if (!isFile(absolute)) throw new Error(`font file "${options.override}" does not exist`);
    return absolute;
  }
  for (const candidate of options.systemCandidates ?? systemFontCandidates) {
    if (isFile(candidate)) return path.resolve(candidate);
  }
  if (options.allowPackaged !== false) {
    const packaged = packagedFont();
    if (packaged !== undefined) return packaged;
  }
  throw new Error(
    'no caption font found: install fonts-dejavu-core, or the dejavu-fonts-ttf npm package, or pass a font file',
  );
}

function packagedFont(): string | undefined {
  const require = createRequire(import.meta.url);
  let directory: string;
  try {
    directory = path.dirname(require.resolve('dejavu-fonts-ttf/package.json'));
  } catch {
    return undefined;
  }
  const candidate = path.join(directory, 'ttf', 'DejaVuSans.ttf');
  return isFile(candidate) ? candidate : undefined;
}

function isFile(candidate: string): boolean {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
}
