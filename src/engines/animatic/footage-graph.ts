import type { Geometry } from './camera-path.ts';
import { formatNumber, quoteExpression } from './ffmpeg-expression.ts';
import type { FootagePlan } from './footage-plan.ts';

/** The ffmpeg inputs of a footage: one per reference video, one raw still per composite. */
export interface FootageInputs {
  readonly clips: readonly number[];
  readonly composites: readonly number[];
}

/**
 * How far the camera travels over a held frame: a fifth closer for a push-in, a seventh with a
 * sideways drift for a pan. Enough to read as a move, little enough not to blur the frame.
 */
const pushInZoom = 0.2;
const panZoom = 0.15;

/**
 * The filter chains that turn a footage plan into one stream, labelled `[label]`, of exactly
 * `frameCount` frames at the output size and rate with timestamps 0, 1, 2, …:
 * each clip is letterboxed to the output size, the clips are concatenated, re-timed (an edit),
 * resampled to the output rate by dropping or repeating frames, padded past their end with copies
 * of the last frame, and cut to length; composites are overlaid; a continuation moves the camera
 * over the held frame with zoompan, which leaves the frames before it untouched (zoom 1, origin 0).
 * Only filters the 2018 static ffmpeg has: `tpad` with `stop=-1`, `fps`, `concat`, `zoompan`.
 */
export function footageChains(
  plan: FootagePlan,
  geometry: Geometry,
  inputs: FootageInputs,
  frameCount: number,
  label: string,
): string[] {
  const { width, height, fps } = geometry;
  const chains: string[] = [];
  const clipLabels = inputs.clips.map((input, index) => {
    chains.push(
      `[${input}:v]setpts=PTS-STARTPTS,${letterbox(width, height)},setsar=1,format=yuv420p[ft_clip${index}]`,
    );
    return `[ft_clip${index}]`;
  });
  const joined =
    clipLabels.length === 1
      ? `${clipLabels[0] ?? ''}null`
      : `${clipLabels.join('')}concat=n=${clipLabels.length}:v=1:a=0`;
  const retime = plan.retimeFactor === undefined ? '' : `setpts=${formatNumber(plan.retimeFactor)}*PTS,`;
  chains.push(
    `${joined},${retime}fps=${fps},tpad=stop=-1:stop_mode=clone,trim=end_frame=${frameCount},settb=1/${fps},setpts=N[ft_timed]`,
  );
  let current = 'ft_timed';
  plan.layout?.composites.forEach((composite, index) => {
    const input = inputs.composites[index];
    if (input === undefined) return;
    const { rectangle, border } = composite;
    const framed =
      border > 0 ? `,pad=${rectangle.width}:${rectangle.height}:${border}:${border}:color=white` : '';
    const next = `ft_composite${index}`;
    chains.push(
      `[${input}:v]format=yuv420p${framed},setsar=1[ft_image${index}]`,
      // The image is one frame; `eof_action=repeat` keeps it on every frame of the footage.
      `[${current}][ft_image${index}]overlay=x=${rectangle.x}:y=${rectangle.y}:eof_action=repeat[${next}]`,
    );
    current = next;
  });
  const continuation = plan.continuation;
  if (continuation !== undefined && continuation.move !== 'static') {
    const next = 'ft_continued';
    chains.push(`[${current}]${continuationZoom(continuation, geometry, frameCount)}[${next}]`);
    current = next;
  }
  chains.push(`[${current}]null[${label}]`);
  return chains;
}

/**
 * The base chain of a reference-video shot (a cutaway): the clip from its start, cover-fitted like
 * an image (filled and centre-cropped), at the output rate, its last frame held if the shot
 * outlasts it, cut to the shot's length.
 */
export function clipShotChain(input: number, frameCount: number, geometry: Geometry, label: string): string {
  const { width, height, fps } = geometry;
  const factor = `max(${width}/iw,${height}/ih)`;
  return (
    `[${input}:v]setpts=PTS-STARTPTS,` +
    `scale=w='max(${width},ceil(iw*${factor}))':h='max(${height},ceil(ih*${factor}))':flags=bicubic,` +
    `crop=${width}:${height},setsar=1,format=yuv420p,fps=${fps},tpad=stop=-1:stop_mode=clone,` +
    `trim=end_frame=${frameCount},settb=1/${fps},setpts=N[${label}]`
  );
}

/**
 * Fit inside `width`×`height` keeping the aspect, even sides (4:2:0), centred on black. The small
 * epsilon keeps a same-aspect input from losing two pixels to floating-point rounding.
 */
function letterbox(width: number, height: number): string {
  const factor = `min(${width}/iw,${height}/ih)`;
  return (
    `scale=w='2*floor(iw*${factor}/2+0.001)':h='2*floor(ih*${factor}/2+0.001)':flags=bicubic,` +
    `pad=${width}:${height}:'(ow-iw)/2':'(oh-ih)/2':color=black`
  );
}

/** zoompan, one output frame per input frame, still until `fromFrame`, then easing into the move. */
function continuationZoom(
  continuation: NonNullable<FootagePlan['continuation']>,
  geometry: Geometry,
  frameCount: number,
): string {
  const { width, height, fps } = geometry;
  const span = Math.max(1, frameCount - 1 - continuation.fromFrame);
  const progress = `min(1,max(0,on-${continuation.fromFrame})/${span})`;
  const eased = `(0.5*${progress}+0.5*${progress}*${progress}*(3-2*${progress}))`;
  const zoom = `1+${formatNumber(continuation.move === 'push-in' ? pushInZoom : panZoom)}*${eased}`;
  // The zoom anchor slides from the centre towards the side of the pan as the camera closes in.
  const anchor =
    continuation.move === 'pan-right'
      ? `(0.5+0.5*${eased})`
      : continuation.move === 'pan-left'
        ? `(0.5-0.5*${eased})`
        : '0.5';
  const x = `(iw-iw/zoom)*${anchor}`;
  return (
    `zoompan=z=${quoteExpression(zoom)}:x=${quoteExpression(x)}:y=${quoteExpression('(ih-ih/zoom)/2')}` +
    `:d=1:s=${width}x${height}:fps=${fps},settb=1/${fps},setpts=N`
  );
}
