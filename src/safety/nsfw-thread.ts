import { parentPort, workerData } from 'node:worker_threads';
import type { NsfwBackend, NsfwModel, NsfwModelOptions } from './nsfw-model.ts';
import { loadNsfwModel } from './nsfw-model.ts';

/**
 * Entry of the classifier's worker thread (started by NsfwClassifier with {@link NsfwModelOptions}
 * as its `workerData`). A frame is tens of milliseconds of WebAssembly (over a second on the CPU
 * fallback); on the main thread that would stall HTTP requests and lease heartbeats, so the model
 * lives here. Messages:
 *   → parent  {type: 'loaded', …} | {type: 'load_failed', message}   once, after start
 *   ← parent  {id, frame: Uint8Array}
 *   → parent  {type: 'scores', id, scores} | {type: 'failed', id, message}
 */

export type ThreadReport =
  | {
      readonly type: 'loaded';
      readonly loadMs: number;
      readonly name: string;
      readonly backend: NsfwBackend;
      readonly fallbackReason: string | undefined;
    }
  | { readonly type: 'load_failed'; readonly message: string }
  | { readonly type: 'scores'; readonly id: number; readonly scores: number[] }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

export interface ThreadRequest {
  readonly id: number;
  readonly frame: Uint8Array;
}

const port = parentPort;
if (port === null) throw new Error('nsfw-thread.ts runs only as a worker thread');

// The classifier works from the weights inside the npm package; a fetch here would be a bug
// (or a model URL sneaking in), so fail it loudly instead of reaching for the network.
globalThis.fetch = () => Promise.reject(new Error('the safety classifier thread never uses the network'));

const started = performance.now();
let model: NsfwModel | undefined;
try {
  model = await loadNsfwModel((workerData ?? {}) as NsfwModelOptions);
  port.postMessage({
    type: 'loaded',
    loadMs: performance.now() - started,
    name: model.name,
    backend: model.backend,
    fallbackReason: model.fallbackReason,
  } satisfies ThreadReport);
} catch (error) {
  port.postMessage({ type: 'load_failed', message: (error as Error).message } satisfies ThreadReport);
}

// Requests are answered one at a time, in order: each classification is synchronous CPU work.
let queue = Promise.resolve();
port.on('message', (request: ThreadRequest) => {
  queue = queue.then(async () => {
    try {
      if (model === undefined) throw new Error('the model did not load');
      const scores = await model.classify(request.frame);
      port.postMessage({ type: 'scores', id: request.id, scores } satisfies ThreadReport);
    } catch (error) {
      port.postMessage({
        type: 'failed',
        id: request.id,
        message: (error as Error).message,
      } satisfies ThreadReport);
    }
  });
});
