import { z } from 'zod';
import { AppError } from '../domain/app-error.ts';
import type { Engine, EngineContext, EngineResult, EngineSupport, GenerationTask } from './engine.ts';

/**
 * Per-model routing: an ordered list of engines per model (REELGATE_ROUTES), the catalog's
 * default engine otherwise. The next engine is tried ONLY when the one before did not take the
 * job — it could not run the request at all (`supports`), or it threw
 * `AppError('engine_unavailable', …, { retryable: true })` before saving a checkpoint (the
 * provider was unreachable, or answered 5xx / 429 to the submit). Once an engine has saved a
 * checkpoint the job is that engine's for good: a user is never charged twice.
 */

/** Every engine id a route may name. */
export const routableEngineIds = [
  'animatic',
  'comfyui',
  'upstream-modelark',
  'upstream-runcomfy',
  'upstream-runflow',
] as const;

/**
 * Parses `model=engine,engine;model=engine`. Models may be named by any id they answer to
 * (`resolveModel` returns the catalog id, or undefined for an unknown one); the result is keyed
 * by catalog id. Throws an Error whose message is one line naming the problem.
 */
export function parseRoutes(
  text: string | undefined,
  resolveModel: (id: string) => string | undefined,
  knownEngines: readonly string[] = routableEngineIds,
): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  if (text === undefined || text.trim() === '') return routes;
  for (const entry of text.split(';')) {
    if (entry.trim() === '') continue;
    const [model = '', engines = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (model === '' || engines === '' || rest.length > 0) {
      throw new Error(`REELGATE_ROUTES: "${entry.trim()}" is not model=engine[,engine…]`);
    }
    const catalogId = resolveModel(model);
    if (catalogId === undefined) throw new Error(`REELGATE_ROUTES: unknown model "${model}"`);
    if (routes.has(catalogId)) throw new Error(`REELGATE_ROUTES: model "${model}" is routed twice`);
    const ids = engines.split(',').map((id) => id.trim());
    for (const id of ids) {
      if (!knownEngines.includes(id)) {
        throw new Error(
          `REELGATE_ROUTES: unknown engine "${id}" for ${model} (engines: ${knownEngines.join(', ')})`,
        );
      }
    }
    if (new Set(ids).size !== ids.length) throw new Error(`REELGATE_ROUTES: ${model} names an engine twice`);
    routes.set(catalogId, ids);
  }
  return routes;
}

/** One engine passed over for a job, and why. */
export interface SkippedEngine {
  readonly engine: string;
  readonly reason: string;
}

export interface EngineRouterOptions {
  readonly engines: { get(id: string): Engine };
  /** Catalog id → ordered engine ids (from REELGATE_ROUTES). */
  readonly routes: ReadonlyMap<string, readonly string[]>;
  /** The catalog id and default engine of any id a model answers to. */
  readonly modelOf: (model: string) => { readonly id: string; readonly defaultEngine: string };
}

/** Chooses the engine (or the ordered engines) that run a model. */
export class EngineRouter {
  private readonly options: EngineRouterOptions;

  constructor(options: EngineRouterOptions) {
    this.options = options;
  }

  /** The engine ids for a model, in order. */
  routeOf(model: string): readonly string[] {
    const spec = this.options.modelOf(model);
    return this.options.routes.get(spec.id) ?? [spec.defaultEngine];
  }

  /** One engine as is; several as a {@link RoutedEngine} that falls over between them. */
  engineFor(model: string): Engine {
    const engines = this.routeOf(model).map((id) => this.options.engines.get(id));
    const [only] = engines;
    return engines.length === 1 && only !== undefined ? only : new RoutedEngine(engines);
  }
}

/** How a route stores its checkpoint: which engine saved it, and that engine's own state. */
const routedCheckpointSchema = z.object({
  routedEngine: z.string(),
  state: z.unknown(),
  skipped: z.array(z.object({ engine: z.string(), reason: z.string() })).default([]),
});

/**
 * Several engines behind one: tries them in order under the failover rule above and reports which
 * one ran and which were skipped (EngineResult.routing).
 */
export class RoutedEngine implements Engine {
  readonly id: string;
  private readonly engines: readonly Engine[];

  constructor(engines: readonly Engine[]) {
    this.engines = engines;
    this.id = engines.map((engine) => engine.id).join('>');
  }

  supports(task: GenerationTask): EngineSupport {
    const reasons: string[] = [];
    for (const engine of this.engines) {
      const support = engine.supports(task);
      if (support.ok) return support;
      reasons.push(`${engine.id}: ${support.reason}`);
    }
    return { ok: false, reason: `no engine of the route can run it (${reasons.join('; ')})` };
  }

  async generate(task: GenerationTask, context: EngineContext): Promise<EngineResult> {
    const saved = routedCheckpointSchema.safeParse(context.checkpoint);
    if (saved.success) {
      // An engine already took this job: it finishes it, whatever happens.
      const owner = this.engines.find((engine) => engine.id === saved.data.routedEngine);
      if (owner === undefined) {
        throw new AppError(
          'engine_failed',
          `the job was started on ${saved.data.routedEngine}, which is no longer in its route (${this.id}); refusing to start it again elsewhere`,
        );
      }
      const { state, skipped } = saved.data;
      const result = await owner.generate(
        task,
        this.contextFor(owner, context, state, skipped, () => undefined),
      );
      return { ...result, routing: { engine: owner.id, skipped } };
    }

    if (context.checkpoint !== undefined && context.checkpoint !== null) {
      // Saved under another route (the operator changed REELGATE_ROUTES mid-job): which engine
      // owns it is unknown, and guessing wrong would submit the job a second time.
      throw new AppError(
        'engine_failed',
        `the job has a checkpoint from before its route became ${this.id}; refusing to start it again`,
      );
    }
    const skipped: SkippedEngine[] = [];
    for (const engine of this.engines) {
      const support = engine.supports(task);
      if (!support.ok) {
        skipped.push({ engine: engine.id, reason: support.reason });
        continue;
      }
      let checkpointed = false;
      try {
        const result = await engine.generate(
          task,
          this.contextFor(engine, context, undefined, skipped, (claimed) => (checkpointed = claimed)),
        );
        return { ...result, routing: { engine: engine.id, skipped } };
      } catch (error) {
        if (checkpointed || context.signal.aborted || !isNotTaken(error)) throw error;
        const reason = (error as AppError).message;
        context.logger.warn({ engine: engine.id }, `engine did not take the job, trying the next: ${reason}`);
        skipped.push({ engine: engine.id, reason });
      }
    }
    throw new AppError(
      'engine_unavailable',
      `no engine of the route ${this.id} took the job: ${skipped.map((entry) => `${entry.engine}: ${entry.reason}`).join('; ')}`,
      { retryable: true },
    );
  }

  /**
   * The context one engine sees: its own checkpoint unwrapped; its saves wrapped with its id and
   * the engines skipped before it (so a resumed attempt still reports them).
   */
  private contextFor(
    engine: Engine,
    context: EngineContext,
    checkpoint: unknown,
    skipped: readonly SkippedEngine[],
    onSave: (claimed: boolean) => void,
  ): EngineContext {
    return {
      signal: context.signal,
      workdir: context.workdir,
      reportProgress: (fraction, message) => context.reportProgress(fraction, message),
      checkpoint,
      saveCheckpoint: async (state) => {
        // Saving nothing withdraws the claim: an engine that checkpoints its id before it submits
        // (ComfyUI) clears it again when the submit was refused, so the route may fall over.
        const withdrawn = state === null || state === undefined;
        onSave(!withdrawn);
        await context.saveCheckpoint(
          withdrawn ? null : { routedEngine: engine.id, state, skipped: [...skipped] },
        );
      },
      logger: context.logger,
    };
  }
}

/** The one failure that lets the router try the next engine: the engine did not take the job. */
function isNotTaken(error: unknown): boolean {
  return error instanceof AppError && error.code === 'engine_unavailable' && error.retryable;
}
