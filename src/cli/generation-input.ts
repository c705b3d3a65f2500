import type { ModelInfo } from '../client/index.ts';

/**
 * `reelgate generate`'s flags → the chosen model's input. The seeds name the same things
 * differently (`prompt` / `text`, `aspect_ratio` / `ratio`), so names come from the model's
 * `fields` as the server publishes them (or, from a server that does not, from its input schema).
 * Values are checked by the server against the model's schema; here only what the flags alone
 * can get wrong is.
 */

export interface GenerateFlags {
  readonly prompt: string;
  readonly duration?: string | undefined;
  readonly resolution?: string | undefined;
  readonly ratio?: string | undefined;
  readonly seed?: string | undefined;
  readonly audio?: boolean | undefined;
}

/** Media inputs as URLs the server can read (local files already uploaded as `asset://`). */
export interface GenerateMedia {
  readonly images: readonly string[];
  /** Roles of the images, by position (`--role` after each `--image`). */
  readonly imageRoles: readonly (string | undefined)[];
  readonly videos: readonly string[];
  readonly audios: readonly string[];
}

export interface GenerationInput {
  readonly input: Record<string, unknown>;
  readonly roles: Record<string, string>;
  /** Input field → the flag that set it, to name flags in the server's error messages. */
  readonly flags: Readonly<Record<string, string>>;
}

/** The model's names for the common meanings. */
export function fieldNames(model: ModelInfo) {
  const properties = model.input_schema.properties;
  const pick = (...names: string[]) => names.find((name) => name in properties);
  const fields = model.fields ?? {};
  return {
    prompt: fields['prompt'] ?? pick('prompt', 'text'),
    aspectRatio: fields['aspectRatio'] ?? pick('aspect_ratio', 'ratio'),
    audio: fields['audio'] ?? pick('generate_audio'),
    images: fields['images'] ?? pick('images', 'image_urls'),
    videos: fields['videos'] ?? pick('videos', 'video_urls'),
    audios: fields['audios'] ?? pick('audios', 'audio_urls'),
    duration: pick('duration'),
    resolution: pick('resolution'),
    seed: pick('seed'),
  };
}

/** Builds the input; throws an Error naming the flag when a flag cannot apply to this model. */
export function buildGenerationInput(
  model: ModelInfo,
  flags: GenerateFlags,
  media: GenerateMedia,
): GenerationInput {
  const names = fieldNames(model);
  const input: Record<string, unknown> = {};
  const flagOf: Record<string, string> = {};
  const set = (field: string | undefined, flag: string, value: unknown) => {
    if (value === undefined) return;
    if (field === undefined) throw new Error(`${model.id} has no input for ${flag}`);
    input[field] = value;
    flagOf[`input.${field}`] = flag;
  };
  set(names.prompt, 'the prompt', flags.prompt);
  set(names.duration, '--duration', wholeNumber(flags.duration, '--duration'));
  set(names.resolution, '--resolution', flags.resolution);
  set(names.aspectRatio, '--ratio', flags.ratio);
  set(names.seed, '--seed', wholeNumber(flags.seed, '--seed'));
  if (flags.audio === true || names.audio !== undefined) set(names.audio, '--audio', flags.audio);

  const roles: Record<string, string> = {};
  if (media.imageRoles.length > media.images.length) throw new Error('each --role must follow an --image');
  set(names.images, '--image', nonEmpty(media.images));
  media.imageRoles.forEach((role, index) => {
    if (role !== undefined && names.images !== undefined) {
      roles[`${names.images}[${index}]`] = role;
      flagOf[`roles.${names.images}[${index}]`] = '--role';
    }
  });
  set(names.videos, '--video', nonEmpty(media.videos));
  set(names.audios, '--audio-ref', nonEmpty(media.audios));
  return { input, roles, flags: flagOf };
}

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new Error(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

function nonEmpty(list: readonly string[]): readonly string[] | undefined {
  return list.length === 0 ? undefined : list;
}

/** The flag named in an error's field (`input.duration` → `--duration`), if one set it. */
export function flagForField(flags: Readonly<Record<string, string>>, field: string): string | undefined {
  return flags[field] ?? flags[field.replace(/\[\d+\]$/, '')];
}
