import type { Logger } from 'pino';
import { AppError } from '../../domain/app-error.ts';
import type { ComfyUiClient } from './comfyui-client.ts';
import type { HistoryEntry, SocketEvent } from './comfyui-protocol.ts';
import type { ComfyUiSocket } from './comfyui-socket.ts';
import { SamplerProgress } from './sampler-progress.ts';

export interface WatchOptions {
  readonly client: ComfyUiClient;
  readonly socket: ComfyUiSocket;
  readonly promptId: string;
  readonly samplerWeights: Readonly<Record<string, number>>;
  /** A human name for a node id (its class type), for the stage shown to clients. */
  readonly nodeName: (node: string) => string;
  /** Silence on the socket for this long → poll `/history` + `/queue` and reconnect. */
  readonly stallMs: number;
  readonly signal: AbortSignal;
  /** `fraction` is the sampling progress 0…1; `stage` names what ComfyUI is doing. */
  report(fraction: number, stage: string): void;
  readonly logger: Logger;
  /** Events heard before the watch began (ComfyUI may start a prompt before `/prompt` answers). */
  readonly earlier?: readonly SocketEvent[];
}

/** How a watch ends: the finished history entry, or the prompt is unknown to its server. */
export type WatchOutcome =
  { readonly kind: 'done'; readonly entry: HistoryEntry } | { readonly kind: 'lost' };

/** History is written just after `execution_success`: retry this often, this many times. */
const historyRetryMs = 100;
const historyRetries = 50;
/** Consecutive failed polls (server unreachable) after which the wait gives up, retryable. */
const maxFailedPolls = 20;

/**
 * Waits for one prompt to finish. The socket is the fast path (progress, stages, the
 * `executing {node: null}` done signal); HTTP is the truth: every done signal, reconnection and
 * stall is reconciled against `/history/{id}` and `/queue` (reference pitfalls 2 and 3). Resolves
 * with the history entry of a successful run; rejects with a clear `engine_failed` naming the
 * node on an execution error; rejects with the abort reason when `signal` aborts.
 */
export function watchPrompt(options: WatchOptions): Promise<WatchOutcome> {
  const { client, socket, promptId, signal, logger } = options;
  const progress = new SamplerProgress(options.samplerWeights);
  let lastHeard = Date.now();
  let stage = 'queued';
  let currentNode: string | undefined;
  let failedPolls = 0;

  return new Promise<WatchOutcome>((resolve, reject) => {
    let settled = false;
    let running: Promise<void> | undefined;
    let again: 'done' | 'poll' | undefined;

    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(stallTimer);
      stopListening();
      signal.removeEventListener('abort', aborted);
      action();
    };
    const report = (nextStage?: string) => {
      if (nextStage !== undefined) stage = nextStage;
      options.report(progress.fraction(), stage);
    };

    const conclude = (entry: HistoryEntry) => {
      const failure = historyFailure(entry, promptId);
      if (failure === undefined) settle(() => resolve({ kind: 'done', entry }));
      else settle(() => reject(failure));
    };

    const reconcileOnce = async (why: 'done' | 'poll') => {
      for (let attempt = 0; attempt < (why === 'done' ? historyRetries : 1); attempt += 1) {
        const entry = await client.history(promptId, signal);
        if (entry !== undefined) return conclude(entry);
        if (why === 'done') await new Promise((wake) => setTimeout(wake, historyRetryMs));
      }
      const where = await client.place(promptId, signal);
      if (where.place === 'pending') report('queued');
      if (where.place !== 'absent') return;
      // History is written before the prompt leaves the queue: one more look closes that gap.
      const entry = await client.history(promptId, signal);
      if (entry !== undefined) conclude(entry);
      else settle(() => resolve({ kind: 'lost' }));
    };

    const reconcile = (why: 'done' | 'poll') => {
      if (settled) return;
      if (running !== undefined) {
        again = again === 'done' ? 'done' : why;
        return;
      }
      running = reconcileOnce(why)
        .then(() => {
          failedPolls = 0;
        })
        .catch((error: unknown) => {
          if (signal.aborted) return;
          failedPolls += 1;
          logger.warn({ err: error, promptId }, 'could not reach ComfyUI while waiting; will poll again');
          if (failedPolls >= maxFailedPolls) settle(() => reject(error));
        })
        .finally(() => {
          running = undefined;
          const next = again;
          again = undefined;
          if (next !== undefined) reconcile(next);
        });
    };

    const onEvent = (event: SocketEvent) => {
      lastHeard = Date.now();
      switch (event.type) {
        case 'execution_start':
          return report('started');
        case 'execution_cached':
          for (const node of event.data.nodes) progress.finish(node);
          return report();
        case 'executing':
          if (event.data.node === null) return reconcile('done');
          currentNode = event.data.node;
          return report(options.nodeName(event.data.node));
        case 'progress': {
          const node = event.data.node ?? undefined;
          progress.update(node, event.data.value, event.data.max);
          // A missed `executing` (e.g. after a reconnect) still shows the sampler as the stage.
          if (node !== undefined && node !== currentNode) {
            currentNode = node;
            return report(options.nodeName(node));
          }
          return report();
        }
        case 'progress_state':
          for (const [node, state] of Object.entries(event.data.nodes)) {
            if (state.state === 'finished') progress.finish(node);
            else progress.update(node, state.value, state.max);
          }
          return report();
        case 'executed':
          progress.finish(event.data.node);
          return report();
        case 'execution_success':
          return reconcile('done');
        case 'execution_error':
        case 'execution_interrupted':
          // The history entry carries the same message; reading it keeps one code path.
          return reconcile('done');
      }
    };

    for (const event of options.earlier ?? []) onEvent(event);
    const stopListening = socket.listen(promptId, { onEvent, onOpen: () => reconcile('poll') });
    const stallTimer = setInterval(
      () => {
        if (Date.now() - lastHeard < options.stallMs) return;
        lastHeard = Date.now();
        logger.info(
          { promptId, server: client.url },
          `no ComfyUI socket message for ${options.stallMs} ms: polling /history and /queue, reconnecting`,
        );
        socket.reconnect();
        reconcile('poll');
      },
      Math.max(50, Math.min(1000, options.stallMs / 4)),
    );
    const aborted = () => settle(() => reject(signal.reason));
    signal.addEventListener('abort', aborted, { once: true });
    if (signal.aborted) aborted();
    else reconcile('poll');
  });
}

/** The error a finished-but-failed history entry stands for, or undefined for a success. */
export function historyFailure(entry: HistoryEntry, promptId: string): AppError | undefined {
  const status = entry.status;
  if (status === undefined || status.status_str !== 'error') return undefined;
  for (const [type, data] of status.messages) {
    const details = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const node = `node ${String(details['node_id'] ?? '?')} (${String(details['node_type'] ?? 'unknown')})`;
    if (type === 'execution_error') {
      return new AppError(
        'engine_failed',
        `ComfyUI failed prompt ${promptId} at ${node}: ${String(details['exception_type'] ?? 'error')}: ${String(details['exception_message'] ?? '').trim()}`,
      );
    }
    if (type === 'execution_interrupted') {
      return new AppError(
        'engine_failed',
        `ComfyUI prompt ${promptId} was interrupted on the server at ${node}`,
      );
    }
  }
  return new AppError('engine_failed', `ComfyUI reports prompt ${promptId} as failed`);
}
