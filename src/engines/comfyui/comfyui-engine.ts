import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import type {
  Engine,
  EngineContext,
  EngineResult,
  EngineSupport,
  GenerationTask,
  LocalMedia,
} from '../engine.ts';
import { isJobCancellation } from '../engine.ts';
import type { HistoryEntry, SocketEvent } from './comfyui-protocol.ts';
import type { ComfyUiServer, ComfyUiServerPool, ServerLease } from './comfyui-server-pool.ts';
import type { SocketHub } from './comfyui-socket.ts';
import { cancelPrompt, rejectionError, videoOutput } from './prompt-outputs.ts';
import { watchPrompt } from './prompt-watcher.ts';
import type { TemplateRegistry } from './workflows/template-registry.ts';
import type { BuiltWorkflow, ModelFile, WorkflowTemplate } from './workflows/workflow-template.ts';

export interface ComfyUiEngineOptions {
  readonly pool: ComfyUiServerPool;
  readonly templates: TemplateRegistry;
  readonly sockets: SocketHub;
  /** The `client_id` of this process's prompts and sockets. */
  readonly clientId: string;
  readonly stallMs: number;
  /** Prompt ids (ComfyUI wants canonical UUIDs); injectable for tests. */
  readonly newPromptId?: () => string;
}

/** Saved before `POST /prompt`, so a restarted attempt waits for this prompt instead of posting again. */
const checkpointSchema = z.object({
  server: z.string(),
  promptId: z.string(),
  clientId: z.string(),
  template: z.string(),
  outputNode: z.string(),
  samplerWeights: z.record(z.string(), z.number()),
  parameters: z.record(z.string(), z.unknown()).default({}),
  snaps: z.array(z.unknown()).default([]),
});

type Checkpoint = z.infer<typeof checkpointSchema>;

/** Share of the engine's progress each phase owns: sampling dominates. */
const span = { queued: 0.05, sampled: 0.9, finished: 0.95 } as const;
/** How long the model-file lists of a server are trusted. */
const modelListTtlMs = 60_000;

/**
 * Runs tasks on ComfyUI servers (reference/comfyui.md): picks a workflow template, uploads the
 * frames, saves `{server, promptId}` as the checkpoint, posts the prompt with that id, follows it
 * over the socket (reconciled with `/history` and `/queue`), and streams the saved video into the
 * workdir. A checkpointed prompt is waited for, never posted twice.
 */
export class ComfyUiEngine implements Engine {
  readonly id = 'comfyui';
  private readonly options: ComfyUiEngineOptions;

  constructor(options: ComfyUiEngineOptions) {
    this.options = options;
  }

  supports(task: GenerationTask): EngineSupport {
    const choice = this.options.templates.select(task);
    return choice.ok ? { ok: true } : { ok: false, reason: choice.reason };
  }

  async generate(task: GenerationTask, context: EngineContext): Promise<EngineResult> {
    const saved = checkpointSchema.safeParse(context.checkpoint);
    if (saved.success) {
      const resumed = await this.resume(saved.data, context);
      if (resumed !== undefined) return resumed;
    }
    const choice = this.options.templates.select(task);
    if (!choice.ok)
      throw new AppError('engine_unavailable', `engine comfyui cannot run this request: ${choice.reason}`);
    return this.submit(task, choice.template, context);
  }

  private async submit(
    task: GenerationTask,
    template: WorkflowTemplate,
    context: EngineContext,
  ): Promise<EngineResult> {
    const lease = await this.options.pool.acquire(context.signal);
    try {
      const client = lease.server.client;
      context.reportProgress(0, `uploading to ${client.url}`);
      const images: string[] = [];
      for (const [index, image] of frameImages(task).entries()) {
        const name = `reelgate-${task.jobId}-${index}${path.extname(image.path) || '.png'}`;
        images.push(await client.upload(image.path, name, context.signal));
      }
      const workflow = template.build({
        prompt: task.prompt,
        parameters: task.parameters ?? {},
        seed: task.seed,
        width: task.width,
        height: task.height,
        durationSeconds: task.durationSeconds,
        images,
      });
      await this.preflight(lease.server, workflow.modelFiles, context.signal);
      logSnaps(context, template, workflow);

      const checkpoint: Checkpoint = {
        server: client.url,
        promptId: (this.options.newPromptId ?? randomUUID)(),
        clientId: this.options.clientId,
        template: template.id,
        outputNode: workflow.outputNode,
        samplerWeights: { ...workflow.samplerWeights },
        parameters: { ...workflow.parameters },
        snaps: [...workflow.snaps],
      };
      await context.saveCheckpoint(checkpoint);
      // Listen before posting, so no event of the new prompt can be missed.
      const socket = this.options.sockets.socket(client.url, checkpoint.clientId);
      const earlier: SocketEvent[] = [];
      const stopWarming = socket.listen(checkpoint.promptId, {
        onEvent: (event) => earlier.push(event),
        onOpen: () => undefined,
      });
      try {
        await socket.ready(2000);
        await this.post(lease.server, checkpoint, workflow, context);
        return await this.follow(lease, checkpoint, context, {
          resumed: false,
          graph: workflow.graph,
          earlier,
        });
      } finally {
        stopWarming();
      }
    } finally {
      lease.release();
    }
  }

  /** Posts the prompt; a refusal before acceptance clears the checkpoint (nothing runs). */
  private async post(
    server: ComfyUiServer,
    checkpoint: Checkpoint,
    workflow: BuiltWorkflow,
    context: EngineContext,
  ): Promise<void> {
    const client = server.client;
    let answer: Awaited<ReturnType<typeof client.queuePrompt>>;
    try {
      answer = await client.queuePrompt(
        { prompt: workflow.graph, client_id: checkpoint.clientId, prompt_id: checkpoint.promptId },
        context.signal,
      );
    } catch (error) {
      // A connection cut after the request was sent may still have queued it: ask before failing.
      const known = await client.place(checkpoint.promptId).catch(() => ({ place: 'absent' as const }));
      if (known.place !== 'absent') return;
      if (error instanceof AppError && error.code === 'engine_unavailable') {
        this.options.pool.markUnhealthy(server, error.message);
      }
      await context.saveCheckpoint(null);
      throw error;
    }
    if (!answer.accepted) {
      await context.saveCheckpoint(null);
      throw rejectionError(answer.rejection);
    }
    const dropped = Object.keys(answer.nodeErrors);
    if (dropped.includes(checkpoint.outputNode)) {
      await client.deleteQueued(checkpoint.promptId).catch(() => undefined);
      throw new AppError(
        'engine_failed',
        `ComfyUI dropped the output node ${checkpoint.outputNode} of ${checkpoint.template}: ${JSON.stringify(answer.nodeErrors).slice(0, 500)}`,
      );
    }
    if (dropped.length > 0)
      context.logger.warn({ nodes: dropped }, 'ComfyUI dropped some outputs of the workflow');
    context.logger.info({ promptId: checkpoint.promptId, server: client.url }, 'ComfyUI prompt queued');
  }

  /** Waits for a checkpointed prompt; undefined when its server no longer knows it (submit again). */
  private async resume(checkpoint: Checkpoint, context: EngineContext): Promise<EngineResult | undefined> {
    const lease = this.options.pool.attach(checkpoint.server);
    if (lease === undefined) {
      context.logger.warn(
        { server: checkpoint.server },
        'checkpointed ComfyUI server is no longer configured; submitting again',
      );
      return undefined;
    }
    try {
      context.logger.info(
        { promptId: checkpoint.promptId, server: checkpoint.server },
        'resuming the checkpointed ComfyUI prompt',
      );
      const where = await lease.server.client
        .place(checkpoint.promptId, context.signal)
        .catch(() => undefined);
      const graph = z
        .record(z.string(), z.object({ class_type: z.string() }).loose())
        .safeParse(where?.graph);
      return await this.follow(lease, checkpoint, context, {
        resumed: true,
        graph: graph.success ? graph.data : {},
      });
    } catch (error) {
      if (error instanceof PromptLost) {
        context.logger.warn(
          { promptId: checkpoint.promptId, server: checkpoint.server },
          'ComfyUI no longer knows the checkpointed prompt (not queued, not in history); submitting again',
        );
        return undefined;
      }
      throw error;
    } finally {
      lease.release();
    }
  }

  /** Watches the prompt to its end, cancels it on abort, and downloads its video. */
  private async follow(
    lease: ServerLease,
    checkpoint: Checkpoint,
    context: EngineContext,
    run: {
      resumed: boolean;
      graph: Readonly<Record<string, { class_type: string }>>;
      earlier?: readonly SocketEvent[];
    },
  ): Promise<EngineResult> {
    const client = lease.server.client;
    let entry: HistoryEntry;
    try {
      const outcome = await watchPrompt({
        client,
        socket: this.options.sockets.socket(client.url, checkpoint.clientId),
        promptId: checkpoint.promptId,
        samplerWeights: checkpoint.samplerWeights,
        nodeName: (node) => `${run.graph[node]?.class_type ?? 'node'} (node ${node})`,
        stallMs: this.options.stallMs,
        signal: context.signal,
        report: (fraction, stage) =>
          context.reportProgress(span.queued + (span.sampled - span.queued) * fraction, stage),
        logger: context.logger,
        earlier: run.earlier ?? [],
      });
      if (outcome.kind === 'lost') {
        if (run.resumed) throw new PromptLost();
        throw new AppError(
          'engine_failed',
          `ComfyUI at ${client.url} lost prompt ${checkpoint.promptId} (restarted?)`,
          {
            retryable: true,
          },
        );
      }
      entry = outcome.entry;
    } catch (error) {
      if (context.signal.aborted && isJobCancellation(context.signal.reason)) {
        await cancelPrompt(client, checkpoint.promptId, context.logger);
      }
      throw afterAcceptance(error);
    }
    context.reportProgress(span.finished, 'downloading');
    const file = videoOutput(entry, checkpoint.outputNode);
    const videoPath = path.join(context.workdir, `comfyui-output${path.extname(file.filename)}`);
    await client.download(file, videoPath, context.signal).catch((error: unknown) => {
      throw afterAcceptance(error);
    });
    context.reportProgress(1, 'downloaded');
    return {
      videoPath,
      metadata: {
        server: client.url,
        prompt_id: checkpoint.promptId,
        template: checkpoint.template,
        parameters: checkpoint.parameters,
        snapped: checkpoint.snaps,
        output_file: file,
        resumed: run.resumed,
      },
    };
  }

  /** Checks that the server has every model file (cached a minute); a missing one fails clearly. */
  private async preflight(
    server: ComfyUiServer,
    files: readonly ModelFile[],
    signal: AbortSignal,
  ): Promise<void> {
    const missing: string[] = [];
    for (const folder of new Set(files.map((file) => file.folder))) {
      let listed = server.models.get(folder);
      if (listed === undefined || Date.now() - listed.at > modelListTtlMs) {
        listed = { files: new Set(await server.client.models(folder, signal)), at: Date.now() };
        server.models.set(folder, listed);
      }
      for (const file of files)
        if (file.folder === folder && !listed.files.has(file.file)) missing.push(`${folder}/${file.file}`);
    }
    if (missing.length > 0) {
      throw new AppError(
        'engine_unavailable',
        `ComfyUI at ${server.client.url} lacks model files: ${missing.join(', ')} (see docs/ENGINES.md, ComfyUI)`,
        // Nothing was posted: a route may try its next engine, and files may still be arriving.
        { retryable: true },
      );
    }
  }
}

/** The checkpointed prompt is unknown to its server: the attempt submits again. */
class PromptLost extends Error {
  constructor() {
    super('prompt lost');
  }
}

/**
 * Once ComfyUI accepted the prompt, "unavailable" would let a router run the job elsewhere as
 * well; past that point an unreachable server is a retryable `engine_failed` (the retry resumes).
 */
function afterAcceptance(error: unknown): unknown {
  if (!(error instanceof AppError) || error.code !== 'engine_unavailable') return error;
  return new AppError('engine_failed', error.message, { retryable: true, cause: error });
}

/** The frames a template takes, in role order: first frame, then last frame. */
function frameImages(task: GenerationTask): LocalMedia[] {
  const first = task.images.filter((image) => image.role === 'first_frame');
  const last = task.images.filter((image) => image.role === 'last_frame');
  return [...first, ...last];
}

function logSnaps(context: EngineContext, template: WorkflowTemplate, workflow: BuiltWorkflow): void {
  if (workflow.snaps.length === 0) return;
  const said = workflow.snaps.map(
    (snap) => `${snap.parameter} ${snap.requested} → ${snap.used} (${snap.rule})`,
  );
  context.logger.info(
    { snaps: workflow.snaps, template: template.id },
    `snapped to ${template.id}'s grid: ${said.join(', ')}`,
  );
}
