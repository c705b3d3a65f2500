import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ModelSpec } from '../../catalog/model-spec.ts';
import { AppError } from '../../domain/app-error.ts';
import type { Engine, EngineContext, EngineResult, EngineSupport, GenerationTask } from '../engine.ts';
import { isJobCancellation } from '../engine.ts';
import type { PollTiming } from './poll-backoff.ts';
import { jitteredBackoffMs, sleep } from './poll-backoff.ts';
import { defaultMaxResultBytes, downloadResult } from './result-download.ts';
import { malformedAnswer, taskFailure, TransientAnswer } from './upstream-failure.ts';
import type { UpstreamHttp } from './upstream-http.ts';
import { UpstreamUnreachable } from './upstream-http.ts';
import type { MediaDelivery } from './upstream-media.ts';
import { deliverySupport, providerInputs } from './upstream-media.ts';
import type { ProviderAdapter, UpstreamStatus } from './upstream-provider.ts';

export interface UpstreamEngineOptions {
  readonly adapter: ProviderAdapter;
  readonly http: UpstreamHttp;
  /** The catalog model of a task (tasks carry the catalog id). */
  readonly specOf: (model: string) => ModelSpec | undefined;
  /** Operator mapping: catalog model id → the provider's model id. */
  readonly models: ReadonlyMap<string, string>;
  readonly delivery: MediaDelivery;
  readonly timing: PollTiming;
  /** Polls in a row that may fail transiently before the attempt gives up (and a retry resumes). */
  readonly maxPollFailures: number;
  /** Idle timeout of the result download (headers, then between chunks). */
  readonly downloadIdleMs: number;
  readonly fetch?: typeof fetch;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** What an upstream engine saves the moment the provider accepts: enough to resume, nothing secret. */
const checkpointSchema = z.object({
  provider: z.string(),
  taskId: z.string().min(1),
  model: z.string().optional(),
});
export type UpstreamCheckpoint = z.infer<typeof checkpointSchema>;

/**
 * A gateway engine: runs a job on a hosted provider (ModelArk, RunComfy, Runflow — the adapter
 * says which) and copies the result into the attempt's folder.
 *
 * The provider's task id is checkpointed as soon as the submit is accepted and before anything
 * else can fail; an attempt that finds a checkpoint resumes polling that task and never submits
 * again, so a worker crash or restart cannot charge the user twice. Cancelling the job cancels the
 * provider task where the provider allows it; a shutdown or a lost lease does not (the next
 * attempt resumes it).
 */
export class UpstreamEngine implements Engine {
  readonly id: string;
  private readonly options: UpstreamEngineOptions;
  private readonly label: string;

  constructor(options: UpstreamEngineOptions) {
    this.options = options;
    this.id = `upstream-${options.adapter.provider}`;
    this.label = options.adapter.label;
  }

  supports(task: GenerationTask): EngineSupport {
    const spec = this.options.specOf(task.model);
    if (spec === undefined) return { ok: false, reason: `model ${task.model} is not in the catalog` };
    if (this.providerModel(spec, task) === undefined) {
      return {
        ok: false,
        reason: `${this.label} has no model for ${spec.id}; map one with REELGATE_${this.options.adapter.provider.toUpperCase()}_MODELS`,
      };
    }
    const support = this.options.adapter.supports(task, spec);
    return support.ok ? deliverySupport(task, this.options.delivery) : support;
  }

  async generate(task: GenerationTask, context: EngineContext): Promise<EngineResult> {
    const spec = this.options.specOf(task.model);
    const providerModel = spec === undefined ? undefined : this.providerModel(spec, task);
    if (spec === undefined || providerModel === undefined) {
      throw new AppError('engine_unavailable', `${this.id} cannot run ${task.model}`);
    }
    const resumed = this.resumedTask(context.checkpoint);
    let taskId: string;
    if (resumed === undefined) {
      taskId = await this.submit(task, spec, providerModel, context);
    } else {
      taskId = resumed;
      context.logger.info({ provider: this.options.adapter.provider, taskId }, 'resuming the upstream task');
    }
    const final = await this.waitFor(taskId, context);
    if (final.videoUrl === undefined) {
      throw malformedAnswer(this.label, `task ${taskId}`, 'succeeded without a video URL');
    }
    context.reportProgress(0.97, 'downloading');
    const videoPath = path.join(context.workdir, 'upstream-output.mp4');
    const bytes = await downloadResult(this.label, final.videoUrl, videoPath, {
      signal: context.signal,
      idleTimeoutMs: this.options.downloadIdleMs,
      maxBytes: defaultMaxResultBytes,
      ...(this.options.fetch === undefined ? {} : { fetch: this.options.fetch }),
    });
    context.reportProgress(1, 'downloaded');
    return {
      videoPath,
      metadata: {
        provider: this.options.adapter.provider,
        provider_task_id: taskId,
        provider_model: providerModel,
        resumed: resumed !== undefined,
        downloaded_bytes: bytes,
        ...(final.usage === undefined ? {} : { provider_usage: final.usage }),
        ...(final.cost === undefined ? {} : { provider_cost: final.cost }),
      },
    };
  }

  private providerModel(spec: ModelSpec, task: GenerationTask): string | undefined {
    const mapped = this.options.models.get(spec.id);
    if (mapped !== undefined) return this.options.adapter.resolveMapped?.(mapped, task) ?? mapped;
    return this.options.adapter.defaultModel(spec, task);
  }

  /** The provider task an earlier attempt of this engine started, if any. */
  private resumedTask(checkpoint: unknown): string | undefined {
    if (checkpoint === undefined || checkpoint === null) return undefined;
    const parsed = checkpointSchema.safeParse(checkpoint);
    if (!parsed.success || parsed.data.provider !== this.options.adapter.provider) {
      // Someone else's checkpoint: resubmitting could charge twice, so refuse instead.
      throw new AppError(
        'engine_failed',
        `${this.id} found a checkpoint it did not write (${JSON.stringify(checkpoint).slice(0, 200)}); refusing to submit again`,
      );
    }
    return parsed.data.taskId;
  }

  private async submit(
    task: GenerationTask,
    spec: ModelSpec,
    providerModel: string,
    context: EngineContext,
  ): Promise<string> {
    const { adapter, http, delivery } = this.options;
    const inputs = await providerInputs(task, delivery);
    context.reportProgress(0.01, 'submitting');
    const taskId = await adapter.submit(task, {
      spec,
      providerModel,
      inputs,
      http,
      signal: context.signal,
      idempotencyKey: `reelgate-${task.jobId}-${this.id}`,
    });
    const checkpoint: UpstreamCheckpoint = { provider: adapter.provider, taskId, model: providerModel };
    try {
      await context.saveCheckpoint(checkpoint);
    } catch (error) {
      // Without the checkpoint the next attempt would submit again: withdraw this task instead.
      await this.cancelUpstream(taskId, context.logger, 'the checkpoint could not be saved');
      throw error;
    }
    context.logger.info(
      { provider: adapter.provider, taskId, model: providerModel },
      'upstream task accepted',
    );
    return taskId;
  }

  /** Polls with backoff until the task is finished; transient failures are waited out, up to a limit. */
  private async waitFor(taskId: string, context: EngineContext): Promise<UpstreamStatus> {
    const { adapter, http, timing, maxPollFailures } = this.options;
    const random = this.options.random ?? Math.random;
    const now = this.options.now ?? Date.now;
    let runningSince: number | undefined;
    let failures = 0;
    for (let index = 0; ; index += 1) {
      try {
        const status = await adapter.status(taskId, http, context.signal);
        failures = 0;
        if (status.state === 'succeeded') return status;
        if (status.state === 'failed') throw taskFailure(this.label, taskId, status.error);
        if (status.state === 'cancelled') {
          throw new AppError(
            'engine_failed',
            `${this.label} task ${taskId} was cancelled on the provider's side`,
          );
        }
        if (status.state === 'running') runningSince ??= now();
        context.reportProgress(estimateProgress(status, runningSince, now()), status.state);
      } catch (error) {
        if (context.signal.aborted) return this.stopped(taskId, context);
        if (!(error instanceof TransientAnswer || error instanceof UpstreamUnreachable)) throw error;
        failures += 1;
        context.logger.warn({ taskId, failures }, `polling ${this.label} failed: ${error.message}`);
        if (failures >= maxPollFailures) {
          throw new AppError(
            'engine_failed',
            `${this.label} could not report task ${taskId} ${failures} times in a row (${error.message}); a retry resumes the same task`,
            { retryable: true },
          );
        }
      }
      try {
        await sleep(jitteredBackoffMs(index, timing, random), context.signal);
      } catch {
        return this.stopped(taskId, context);
      }
    }
  }

  /** The attempt was aborted while the task was upstream: cancel it there only if the job was cancelled. */
  private async stopped(taskId: string, context: EngineContext): Promise<never> {
    const reason: unknown = context.signal.reason;
    if (isJobCancellation(reason)) await this.cancelUpstream(taskId, context.logger, 'the job was cancelled');
    throw reason;
  }

  private async cancelUpstream(taskId: string, logger: Logger, why: string): Promise<void> {
    try {
      const outcome = await this.options.adapter.cancel(
        taskId,
        this.options.http,
        new AbortController().signal,
      );
      logger.info({ taskId, outcome }, `${why}: asked ${this.label} to cancel its task`);
    } catch (error) {
      logger.warn({ taskId }, `${why}: ${this.label} could not cancel its task: ${(error as Error).message}`);
    }
  }
}

/**
 * Progress within the engine's share: the provider's own figure when it gives one; otherwise a
 * curve that approaches 95 % over a typical generation time, so the bar moves without lying
 * about being done.
 */
function estimateProgress(status: UpstreamStatus, runningSince: number | undefined, now: number): number {
  if (status.state === 'queued') return 0.02;
  if (status.progress !== undefined) return 0.05 + 0.9 * status.progress;
  const elapsed = runningSince === undefined ? 0 : now - runningSince;
  return 0.05 + 0.9 * (1 - Math.exp(-elapsed / 90_000));
}
