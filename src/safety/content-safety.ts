import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { SafetyGate } from '../pipeline/safety-gate.ts';
import { sampleFrames } from './frame-sampler.ts';
import type { FrameClassifier } from './nsfw-classifier.ts';
import { NsfwClassifier } from './nsfw-classifier.ts';
import { PromptScreen } from './prompt-rules.ts';

/** The process's content-safety parts, built from config once (see src/app.ts). */
export interface ContentSafety {
  /** The pipeline's input and output checks. */
  readonly gate: SafetyGate;
  /** Submit-time prompt screening; undefined when safety is off or there are no rules. */
  readonly screenPrompt: ((prompt: string) => void) | undefined;
  readonly classifier: FrameClassifier;
  /**
   * Starts loading the model now, in the background, so a worker's first job does not wait for
   * it; does nothing when safety is off. Only worker processes call it: an API-only process never
   * classifies. A failed warm-up is logged, and the first check tries again.
   */
  warm(): void;
  /** Stops the classifier thread, if it was started. */
  close(): Promise<void>;
}

export interface ContentSafetyOptions {
  readonly ffmpeg: string;
  /** Defaults to the process's one lazily loaded NsfwClassifier. */
  readonly classifier?: FrameClassifier;
  /** Where the classifier reports its load (and a fallback to the slow CPU backend). */
  readonly logger?: Logger;
}

export function createContentSafety(
  settings: Config['safety'],
  options: ContentSafetyOptions,
): ContentSafety {
  const classifier = options.classifier ?? new NsfwClassifier({ logger: options.logger });
  const screen =
    settings.policy.mode === 'off' || settings.promptRules.length === 0
      ? undefined
      : new PromptScreen(settings.promptRules);
  return {
    gate: new SafetyGate({
      policy: settings.policy,
      classifier,
      sampleFrames: (request) => sampleFrames({ ...request, ffmpeg: options.ffmpeg }),
    }),
    screenPrompt: screen === undefined ? undefined : (prompt) => screen.check(prompt),
    classifier,
    warm: () => {
      if (settings.policy.mode !== 'off') void classifier.warm();
    },
    close: () => classifier.close(),
  };
}
