import { AppError } from '../domain/app-error.ts';
import type { GenerationTask } from '../engines/engine.ts';

/** What the pipeline needs to know about a produced video (read with ffprobe). */
export interface VideoFacts {
  readonly videoCodec: string;
  readonly pixelFormat: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly durationSeconds: number;
  readonly hasAudio: boolean;
  readonly audioCodec: string | undefined;
  readonly bytes: number;
}

/** Which part of the output contract a video breaks; conforming fixes each in its own way. */
export type ContractBreach =
  'codec' | 'pixel_format' | 'size' | 'fps' | 'duration' | 'audio_missing' | 'audio_unwanted' | 'audio_codec';

/** One broken promise: what it is, and a sentence saying how (for the job log and metadata). */
export interface ContractProblem {
  readonly breach: ContractBreach;
  readonly message: string;
}

/**
 * Every way a video breaks the promise the API made: H.264 yuv420p, the exact pixel size, the
 * task's frame rate, the duration to within one frame, and an AAC audio stream exactly when audio
 * was asked for. Empty when the video keeps it.
 */
export function contractProblems(task: GenerationTask, facts: VideoFacts): ContractProblem[] {
  const problems: ContractProblem[] = [];
  const add = (breach: ContractBreach, message: string) => problems.push({ breach, message });
  if (facts.videoCodec !== 'h264') add('codec', `codec ${facts.videoCodec}, expected h264`);
  if (facts.pixelFormat !== 'yuv420p') {
    add('pixel_format', `pixel format ${facts.pixelFormat}, expected yuv420p`);
  }
  if (facts.width !== task.width || facts.height !== task.height) {
    add('size', `size ${facts.width}×${facts.height}, expected ${task.width}×${task.height}`);
  }
  if (Math.abs(facts.fps - task.fps) > 0.01) add('fps', `${round(facts.fps)} fps, expected ${task.fps}`);
  if (Math.abs(facts.durationSeconds - task.durationSeconds) > 1 / task.fps + 1e-3) {
    add(
      'duration',
      `duration ${facts.durationSeconds.toFixed(3)} s, expected ${task.durationSeconds} s ± 1 frame`,
    );
  }
  if (!facts.hasAudio && task.generateAudio) add('audio_missing', 'no audio stream, but audio was asked for');
  if (facts.hasAudio && !task.generateAudio) add('audio_unwanted', 'an audio stream nobody asked for');
  if (facts.hasAudio && task.generateAudio && facts.audioCodec !== 'aac') {
    add('audio_codec', `audio codec ${facts.audioCodec ?? '?'}, expected aac`);
  }
  return problems;
}

/**
 * Checks a video against the contract (see {@link contractProblems}). Post-processing conforms
 * what an engine got wrong first, so this fails a job only when a video still breaks the promise:
 * the client never gets something other than what it asked for.
 */
export function checkOutput(task: GenerationTask, facts: VideoFacts): void {
  const problems = contractProblems(task, facts);
  if (problems.length > 0) {
    throw new AppError(
      'output_invalid',
      `the output still breaks the request after post-processing: ${problems.map((problem) => problem.message).join('; ')}`,
    );
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
