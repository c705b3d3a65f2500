import type { FieldIssue } from '../domain/app-error.ts';
import { AppError } from '../domain/app-error.ts';
import type { GenerationRequest } from '../domain/generation-request.ts';
import type { ModelSpec } from './model-spec.ts';

/** The dialect's names for the request fields a capability check can blame. */
export interface CapabilityFieldNames {
  readonly resolution: string;
  readonly aspectRatio: string;
  readonly duration: string;
  readonly audio: string;
}

/**
 * Checks a normalized request against what the model can do. Dialects whose wire schema is not the
 * model's own (Runflow, AnyFast, ModelArk, OpenAI) call this after translating, so that every
 * dialect refuses the same things (1080p on 2.0 Pro, 13 s on 1.0, audio on 1.0) with the
 * dialect's own field names.
 */
export function capabilityIssues(
  spec: ModelSpec,
  request: GenerationRequest,
  names: CapabilityFieldNames,
): FieldIssue[] {
  const capabilities = spec.capabilities;
  const issues: FieldIssue[] = [];
  if (!capabilities.resolutions.includes(request.resolution)) {
    issues.push({
      field: names.resolution,
      rule: 'enum',
      message: `${names.resolution} must be one of ${capabilities.resolutions.join(', ')} for ${spec.name}, got "${request.resolution}"`,
    });
  }
  if (!capabilities.ratios.includes(request.aspectRatio)) {
    issues.push({
      field: names.aspectRatio,
      rule: 'enum',
      message: `${names.aspectRatio} must be one of ${capabilities.ratios.join(', ')} for ${spec.name}, got "${request.aspectRatio}"`,
    });
  }
  if (!capabilities.durations.includes(request.durationSeconds)) {
    const durations = capabilities.durations;
    issues.push({
      field: names.duration,
      rule: 'range',
      message: `${names.duration} must be a whole number of seconds from ${durations[0]} to ${durations[durations.length - 1]} for ${spec.name}, got ${request.durationSeconds}`,
    });
  }
  if (request.generateAudio && !capabilities.audio) {
    issues.push({
      field: names.audio,
      rule: 'unsupported',
      message: `${names.audio}: ${spec.name} cannot generate audio; send false or leave it out`,
    });
  }
  return issues;
}

/** Throws AppError('validation_failed') when `issues` is not empty. */
export function throwIfIssues(issues: readonly FieldIssue[]): void {
  if (issues.length > 0) throw AppError.validation(issues);
}
