import path from 'node:path';
import { synthesizeSpeech } from '../../media/speech-synthesis.ts';
import { abortReason } from '../../media/run-ffmpeg.ts';
import type { GenerationTask } from '../engine.ts';
import { ambienceSampleRate, designAmbience } from './ambience.ts';
import { findDialogue, placeDialogue, type PlacedLine } from './dialogue.ts';
import type { GraphInputs } from './graph-inputs.ts';
import { palettes } from './palettes.ts';
import type { PromptPlan } from './prompt-plan.ts';
import { decodeReferenceAudio } from './reference-audio.ts';
import { createSeededRandom } from './seeded-random.ts';
import { mixSoundtrack, placeMusic, type PlacedMusic } from './soundtrack.ts';

/** What the soundtrack is prepared with. */
export interface AudioPreparationContext {
  readonly task: GenerationTask;
  readonly plan: PromptPlan;
  /** Scratch folder for speech and decoded audio; removed after the render. */
  readonly folder: string;
  readonly ffmpeg: string;
  /** Wall-clock limit of one speech synthesis and of one audio decode. */
  readonly stepTimeoutMs: number;
  readonly signal: AbortSignal;
}

/** The files a soundtrack needs, made before the render. */
export interface PreparedAudio {
  readonly speech: readonly PlacedLine[];
  readonly music: readonly PlacedMusic[];
}

/** A soundtrack ready for the render: its filter chains (ending in `[audio]`) and description. */
export interface SoundtrackGraph {
  readonly graph: string;
  readonly description: Readonly<Record<string, unknown>>;
}

/**
 * Speaks the prompt's quoted lines (one speech program run each, one after another so two cores
 * are not flooded) and decodes the reference audio clips, then places both on the timeline.
 */
export async function prepareAudio(context: AudioPreparationContext): Promise<PreparedAudio> {
  const { task, plan, signal } = context;
  const durationSeconds = task.frameCount / task.fps;
  const lines = findDialogue(task.prompt, plan, { fps: task.fps, seed: task.seed });
  const spoken = [];
  for (const [index, line] of lines.entries()) {
    if (signal.aborted) throw abortReason(signal);
    const clip = await synthesizeSpeech({
      text: line.text,
      voice: line.voice,
      wordsPerMinute: line.wordsPerMinute,
      outputPath: path.join(context.folder, `speech-${index}.wav`),
      timeoutMs: context.stepTimeoutMs,
      signal,
    });
    spoken.push({ line, clip });
  }
  const decoded = [];
  for (const [index, audio] of task.audios.entries()) {
    if (signal.aborted) throw abortReason(signal);
    decoded.push(
      await decodeReferenceAudio({
        ffmpeg: context.ffmpeg,
        inputPath: audio.path,
        outputPath: path.join(context.folder, `reference-audio-${index}.f32`),
        maximumSeconds: durationSeconds,
        timeoutMs: context.stepTimeoutMs,
        signal,
      }),
    );
  }
  return {
    speech: placeDialogue(spoken, durationSeconds),
    music: placeMusic(task.prompt, plan, decoded, { fps: task.fps, durationSeconds }),
  };
}

/**
 * The soundtrack's filter chains: the ambience bed designed from the opening shot (cuts in the
 * picture, continuity in sound), with the placed speech and reference audio mixed over it. The
 * speech and audio files are added to `inputs`.
 */
export function soundtrackGraph(
  task: GenerationTask,
  plan: PromptPlan,
  prepared: PreparedAudio,
  inputs: GraphInputs,
): SoundtrackGraph | undefined {
  const firstShot = plan.shots[0];
  if (firstShot === undefined) return undefined;
  const durationSeconds = task.frameCount / task.fps;
  const sampleCount = Math.round(durationSeconds * ambienceSampleRate);
  const extras = prepared.speech.length + prepared.music.length;
  const ambience = designAmbience(
    {
      setting: firstShot.setting,
      palette: palettes[firstShot.palette],
      weather: firstShot.weather,
      random: createSeededRandom('animatic-audio', task.seed),
      durationSeconds,
      sampleCount,
    },
    extras === 0 ? 'audio' : 'ambience',
  );
  const bed = { kind: 'synthesised ambience', ...ambience.description };
  if (extras === 0) return { graph: ambience.graph, description: bed };
  const mix = mixSoundtrack(
    {
      ambience,
      speech: prepared.speech.map((placed) => ({ placed, input: inputs.addWav(placed.clip.path) })),
      music: prepared.music.map((placed) => ({
        placed,
        input: inputs.addFloatPcm(placed.audio.path, placed.audio.sampleRate, placed.audio.channels),
      })),
      durationSeconds,
      sampleCount,
    },
    'audio',
  );
  return {
    graph: mix.graph,
    description: {
      ...bed,
      kind: 'synthesised ambience with dialogue and reference audio',
      bedGain: mix.description.bedGain,
      dialogue: mix.description.dialogue,
      referenceAudio: mix.description.music,
      normalisation: mix.description.normalisation,
    },
  };
}
