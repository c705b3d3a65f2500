import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where the ffmpeg binary came from: explicit configuration, the system PATH or an npm package. */
export type FfmpegSource = 'config' | 'system' | 'npm';

/** The absolute paths of the ffmpeg and ffprobe executables every media step runs. */
export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** Where `ffmpeg` was found; `ffprobe` is resolved the same way, independently. */
  readonly source: FfmpegSource;
}

/** Where to look for the binaries; everything comes from the caller, nothing from the environment. */
export interface ResolveFfmpegBinariesOptions {
  /** `FFMPEG_PATH` from the Config; when set it must point at an executable file. */
  readonly ffmpegPath?: string | undefined;
  /** `FFPROBE_PATH` from the Config; when set it must point at an executable file. */
  readonly ffprobePath?: string | undefined;
  /**
   * The PATH to search (the caller passes it from Config; nothing in `src/media` reads the
   * environment). `undefined` or empty skips the system search.
   */
  readonly searchPath: string | undefined;
  /**
   * Folders of the npm packages that ship the fallback binaries. Defaults to the
   * `@ffmpeg-installer/<platform>-<arch>` and `@ffprobe-installer/<platform>-<arch>` packages
   * resolved from this module; tests inject other folders.
   */
  readonly npmPackageDirectories?: { readonly ffmpeg?: string; readonly ffprobe?: string };
}

type Tool = 'ffmpeg' | 'ffprobe';

/** Thrown when no usable ffmpeg or ffprobe exists; the message says what was tried. */
export class FfmpegNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegNotFoundError';
  }
}

/**
 * Finds ffmpeg and ffprobe (DESIGN.md §6): an explicitly configured path first, else the
 * executables on the given search PATH, else the binaries that the optional npm packages ship in
 * their tarballs (so `npm ci` alone is enough on a fresh machine). Each tool is resolved on its
 * own, so a system with ffmpeg but no ffprobe still works. A configured path that is not an
 * executable file is an error rather than a silent fallback: the operator asked for that binary.
 */
export function resolveFfmpegBinaries(options: ResolveFfmpegBinariesOptions): FfmpegBinaries {
  const ffmpeg = resolveTool('ffmpeg', options.ffmpegPath, options);
  const ffprobe = resolveTool('ffprobe', options.ffprobePath, options);
  return { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, source: ffmpeg.source };
}

function resolveTool(
  tool: Tool,
  configuredPath: string | undefined,
  options: ResolveFfmpegBinariesOptions,
): { path: string; source: FfmpegSource } {
  if (configuredPath !== undefined && configuredPath.trim() !== '') {
    const absolute = path.resolve(configuredPath);
    if (!isExecutableFile(absolute)) {
      const variable = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
      throw new FfmpegNotFoundError(
        `${variable} is set to "${configuredPath}", which is not an executable file`,
      );
    }
    return { path: absolute, source: 'config' };
  }
  const onPath = findOnSearchPath(executableName(tool), options.searchPath);
  if (onPath !== undefined) return { path: onPath, source: 'system' };
  const packaged = findInNpmPackage(tool, options.npmPackageDirectories?.[tool]);
  if (packaged !== undefined) return { path: packaged, source: 'npm' };
  throw new FfmpegNotFoundError(
    `no ${tool} found: set ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'}, install ${tool} on the PATH, ` +
      `or install the optional npm package ${npmPackageName(tool)}`,
  );
}

/**
 * Looks for an executable in each folder of a PATH-style list. Empty entries are skipped on
 * purpose: the shell reads them as "the current folder", which is not a place to pick up binaries.
 */
export function findOnSearchPath(name: string, searchPath: string | undefined): string | undefined {
  if (searchPath === undefined) return undefined;
  for (const folder of searchPath.split(path.delimiter)) {
    if (folder === '' || !path.isAbsolute(folder)) continue;
    const candidate = path.join(folder, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function findInNpmPackage(tool: Tool, directory: string | undefined): string | undefined {
  const folder = directory ?? npmPackageDirectory(tool);
  if (folder === undefined) return undefined;
  const candidate = path.join(folder, executableName(tool));
  return isExecutableFile(candidate) ? candidate : undefined;
}

function npmPackageName(tool: Tool): string {
  return `@${tool}-installer/${process.platform}-${process.arch}`;
}

function npmPackageDirectory(tool: Tool): string | undefined {
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve(`${npmPackageName(tool)}/package.json`));
  } catch {
    // The packages are optional dependencies: absent on platforms they do not build for.
    return undefined;
  }
}

function executableName(tool: Tool): string {
  return process.platform === 'win32' ? `${tool}.exe` : tool;
}

function isExecutableFile(candidate: string): boolean {
  try {
    if (!statSync(candidate).isFile()) return false;
    accessSync(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
