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

/**
 * Checks an engine's output against the promise the API made: H.264 yuv420p, the exact pixel
 * size, 24 fps, the duration to within one frame, and audio exactly when asked for. An engine
 * that breaks the promise fails the job rather than handing the client something else.
 */
export function checkOutput(task: GenerationTask, facts: VideoFacts): void {
  const problems: string[] = [];
  if (facts.videoCodec !== 'h264') problems.push(`codec ${facts.videoCodec}, expected h264`);
  if (facts.pixelFormat !== 'yuv420p') problems.push(`pixel format ${facts.pixelFormat}, expected yuv420p`);
  if (facts.width !== task.width || facts.height !== task.height) {
    problems.push(`size ${facts.width}×${facts.height}, expected ${task.width}×${task.height}`);
  }
  if (Math.abs(facts.fps - task.fps) > 0.01) problems.push(`${facts.fps} fps, expected ${task.fps}`);
  if (Math.abs(facts.durationSeconds - task.durationSeconds) > 1 / task.fps + 1e-3) {
    problems.push(
      `duration ${facts.durationSeconds.toFixed(3)} s, expected ${task.durationSeconds} s ± 1 frame`,
    );
  }
  if (facts.hasAudio !== task.generateAudio) {
    problems.push(
      task.generateAudio ? 'no audio stream, but audio was asked for' : 'an audio stream nobody asked for',
    );
  }
  if (facts.hasAudio && facts.audioCodec !== 'aac')
    problems.push(`audio codec ${facts.audioCodec ?? '?'}, expected aac`);
  if (problems.length > 0) {
    throw new AppError('output_invalid', `the engine's output breaks the request: ${problems.join('; ')}`);
  }
}
