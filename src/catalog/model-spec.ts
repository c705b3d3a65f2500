import type { AspectRatio, Resolution } from '../domain/media-facts.ts';
import { pixelSize } from '../domain/media-facts.ts';
import type { JsonObjectSchema, runComfyOutputSchema } from './json-schema.ts';

/**
 * One model in the catalog: its input schema exactly as the seed publishes it, which of its
 * fields carry the common meanings, what it can do, which engine runs it, and its price.
 */
export interface ModelSpec {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** The seed's input schema, verbatim. The validator is derived from it. */
  readonly inputSchema: JsonObjectSchema;
  readonly outputSchema: typeof runComfyOutputSchema;
  /** Names of the input fields that carry each common meaning (the seeds disagree on names). */
  readonly fields: {
    readonly prompt: string;
    readonly aspectRatio: string;
    readonly audio?: string;
    readonly webSearch?: string;
    readonly images?: string;
    readonly videos?: string;
    readonly audios?: string;
    /** A single image URI that is the video's first frame (ComfyUI image-to-video models). */
    readonly firstFrame?: string;
    /** A single image URI that is the video's last frame (first + last frame models). */
    readonly lastFrame?: string;
  };
  /**
   * Every id the model answers to, per dialect. The RunComfy path id is `id` itself; all ids of all
   * models are distinct, so any of them finds the model on any dialect.
   */
  readonly aliases: {
    readonly runflow: readonly string[];
    readonly anyfast: readonly string[];
    readonly modelark: readonly string[];
    /** OpenAI Videos `model` values mapped here (see docs/API.md). */
    readonly openai: readonly string[];
  };
  /** What the model accepts, whatever the dialect: every dialect's request is checked against it. */
  readonly capabilities: {
    /** Whether the model can produce a soundtrack at all (1.0 Pro Fast cannot). */
    readonly audio: boolean;
    readonly resolutions: readonly Resolution[];
    /** Whole seconds the model can generate. */
    readonly durations: readonly number[];
    /** Ratios it accepts; `adaptive` only where the model offers it. */
    readonly ratios: readonly (AspectRatio | 'adaptive')[];
    /** The duration a dialect's `auto` / -1 resolves to. */
    readonly autoDuration: number;
  };
  /** The engine that runs this model unless the operator routes it elsewhere. */
  readonly defaultEngine: string;
  /** USD per generated second, by resolution (without generated audio, or for both when alone). */
  readonly pricePerSecondUsd: Readonly<Partial<Record<Resolution, number>>>;
  /** USD per second when audio is generated; absent: the same as `pricePerSecondUsd`. */
  readonly audioPricePerSecondUsd?: Readonly<Partial<Record<Resolution, number>>>;
}

/** Every whole second from `from` to `to`. */
export function secondsRange(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/** The one price the seeds publish: Seedance 2.0 Fast at 720p on Runflow (seed 003). */
export const seedPrice720p = 0.2419;

/**
 * Default prices until the operator sets their own (the pricing issue): the seed's 720p price
 * scaled by output pixel count at 16:9, rounded to 1/10 000 of a dollar.
 */
export function pricesFrom720p(
  price720p: number,
  resolutions: readonly Resolution[],
): Partial<Record<Resolution, number>> {
  const base = pixelSize('720p', '16:9');
  const prices: Partial<Record<Resolution, number>> = {};
  for (const resolution of resolutions) {
    const size = pixelSize(resolution, '16:9');
    const scale = (size.width * size.height) / (base.width * base.height);
    prices[resolution] = Math.round(price720p * scale * 10_000) / 10_000;
  }
  return prices;
}
