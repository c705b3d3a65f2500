import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { AppError } from '../domain/app-error.ts';
import type { NsfwBackend, NsfwModelOptions } from './nsfw-model.ts';
import type { ThreadReport, ThreadRequest } from './nsfw-thread.ts';

/** A started model: classifies frames until closed. */
export interface LoadedModel {
  readonly name: string;
  readonly backend: NsfwBackend;
  /** Why the model runs on the CPU backend although WebAssembly was wanted. */
  readonly fallbackReason?: string | undefined;
  /** How long loading took, measured where it happened. */
  readonly loadMs: number;
  classify(frame: Uint8Array): Promise<number[]>;
  /** False once the model can no longer answer (its thread died); the next frame loads anew. */
  alive(): boolean;
  close(): Promise<void>;
}

/** What the process has done with its classifier so far (recorded in job metadata). */
export interface ClassifierStats {
  readonly model: string | undefined;
  readonly backend: NsfwBackend | undefined;
  /** Times the model was loaded in this process: 1 in a healthy process. */
  readonly loads: number;
  readonly loadMs: number | undefined;
  readonly framesClassified: number;
}

/** Scores frames for the safety check. */
export interface FrameClassifier {
  /** Scores of one 224 × 224 rgb24 frame, in `nsfwClasses` order. */
  classify(frame: Uint8Array, signal?: AbortSignal): Promise<number[]>;
  /** Loads the model now, so the first job does not wait for it. Never rejects. */
  warm(): Promise<void>;
  stats(): ClassifierStats;
  close(): Promise<void>;
}

export interface NsfwClassifierOptions {
  /** Defaults to the worker thread ({@link startModelThread}); tests inject a loader they can count. */
  readonly startModel?: (() => Promise<LoadedModel>) | undefined;
  /** Where loads, fallbacks and failed warm-ups are reported. */
  readonly logger?: Logger | undefined;
}

/**
 * The process's one classifier. The model is loaded lazily, on the first frame, and every later
 * frame of every job shares that one load (a shared promise, so concurrent first jobs wait for the
 * same load). A load that fails is forgotten, so a later attempt tries again.
 */
export class NsfwClassifier implements FrameClassifier {
  private readonly startModel: () => Promise<LoadedModel>;
  private readonly logger: Logger | undefined;
  private model: Promise<LoadedModel> | undefined;
  private current: LoadedModel | undefined;
  private loads = 0;
  private name: string | undefined;
  private backend: NsfwBackend | undefined;
  private loadMs: number | undefined;
  private framesClassified = 0;

  constructor(options: NsfwClassifierOptions = {}) {
    this.startModel = options.startModel ?? (() => startModelThread());
    this.logger = options.logger;
  }

  async classify(frame: Uint8Array, signal?: AbortSignal): Promise<number[]> {
    signal?.throwIfAborted();
    const model = await this.loaded();
    signal?.throwIfAborted();
    try {
      const scores = await model.classify(frame);
      this.framesClassified += 1;
      return scores;
    } catch (error) {
      // A crashed or closed thread is the host's trouble, not the job's: another attempt may pass.
      throw new AppError('engine_failed', `the content safety check failed: ${(error as Error).message}`, {
        retryable: true,
        cause: error,
      });
    }
  }

  async warm(): Promise<void> {
    try {
      await this.loaded();
    } catch (error) {
      // The first job's check tries again and fails that job retryably if it still cannot load.
      this.logger?.warn({ err: error }, 'the content safety classifier could not be warmed');
    }
  }

  stats(): ClassifierStats {
    return {
      model: this.name,
      backend: this.backend,
      loads: this.loads,
      loadMs: this.loadMs,
      framesClassified: this.framesClassified,
    };
  }

  async close(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    this.current = undefined;
    await (await model?.catch(() => undefined))?.close();
  }

  private loaded(): Promise<LoadedModel> {
    if (this.current?.alive() === false) {
      this.model = undefined;
      this.current = undefined;
    }
    if (this.model !== undefined) return this.model;
    const loading = this.startModel().then(
      (model) => {
        this.loads += 1;
        this.name = model.name;
        this.backend = model.backend;
        this.loadMs = Math.round(model.loadMs);
        this.current = model;
        const facts = { model: model.name, backend: model.backend, loadMs: this.loadMs };
        if (model.fallbackReason === undefined) {
          this.logger?.info(facts, 'content safety classifier loaded');
        } else {
          this.logger?.warn(
            { ...facts, reason: model.fallbackReason },
            'content safety classifier fell back to the slow tfjs cpu backend: WebAssembly did not start',
          );
        }
        return model;
      },
      (error: unknown) => {
        if (this.model === loading) this.model = undefined;
        throw new AppError(
          'engine_unavailable',
          `the content safety classifier could not load: ${(error as Error).message}`,
          { retryable: true, cause: error },
        );
      },
    );
    this.model = loading;
    return loading;
  }
}

/**
 * Starts `nsfw-thread.ts` in a worker thread and resolves once its model has loaded (`options`
 * choose the backend; see {@link NsfwModelOptions}). The thread is bootstrapped through tsx's
 * loader (as `bin/reelgate.js` does), so it runs the TypeScript source in any parent: the CLI, a
 * test runner or a benchmark. An idle thread is unref'd, so it never keeps the process alive.
 */
export function startModelThread(options: NsfwModelOptions = {}): Promise<LoadedModel> {
  const threadUrl = new URL('./nsfw-thread.ts', import.meta.url).href;
  const loaderUrl = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(loaderUrl)}).then(({ register }) => { register(); return import(${JSON.stringify(threadUrl)}); });`;
  // Referenced while it loads or works, so an awaited answer keeps the process alive.
  const worker = new Worker(bootstrap, { eval: true, workerData: options });

  const pending = new Map<number, { resolve: (scores: number[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let dead: Error | undefined;
  const failAll = (error: Error) => {
    dead ??= error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };

  return new Promise<LoadedModel>((resolve, reject) => {
    worker.on('error', (error) => {
      failAll(error);
      reject(error);
    });
    worker.on('exit', (code) => {
      const error = new Error(`the classifier thread exited (code ${code})`);
      failAll(error);
      reject(error);
    });
    worker.on('message', (report: ThreadReport) => {
      if (report.type === 'load_failed') {
        reject(new Error(report.message));
        void worker.terminate();
      } else if (report.type === 'loaded') {
        worker.unref();
        resolve({
          name: report.name,
          backend: report.backend,
          fallbackReason: report.fallbackReason,
          loadMs: report.loadMs,
          classify(frame) {
            if (dead !== undefined) return Promise.reject(dead);
            const id = nextId++;
            return new Promise<number[]>((resolveScores, rejectScores) => {
              pending.set(id, { resolve: resolveScores, reject: rejectScores });
              worker.ref();
              // A frame is often a view into a larger buffer: send a copy of just its bytes.
              const copy = frame.slice();
              worker.postMessage({ id, frame: copy } satisfies ThreadRequest, [copy.buffer]);
            });
          },
          alive: () => dead === undefined,
          async close() {
            failAll(new Error('the classifier was closed'));
            await worker.terminate();
          },
        });
      } else {
        const waiter = pending.get(report.id);
        pending.delete(report.id);
        if (pending.size === 0) worker.unref();
        if (report.type === 'scores') waiter?.resolve(report.scores);
        else waiter?.reject(new Error(report.message));
      }
    });
  });
}
