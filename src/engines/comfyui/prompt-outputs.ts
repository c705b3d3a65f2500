import type { Logger } from 'pino';
import { AppError } from '../../domain/app-error.ts';
import type { ComfyUiClient } from './comfyui-client.ts';
import type { HistoryEntry, OutputFile, PromptRejected } from './comfyui-protocol.ts';
import { outputFiles } from './comfyui-protocol.ts';

const videoExtensions = /\.(mp4|webm|mkv|mov|gif|webp)$/i;

/**
 * The video a finished prompt saved: from the template's output node first, then from any node
 * (an operator template may save elsewhere). Images-only outputs are not a video.
 */
export function videoOutput(entry: HistoryEntry, outputNode: string): OutputFile {
  const own = outputFiles(entry.outputs[outputNode] ?? {});
  const all = Object.values(entry.outputs).flatMap((output) => outputFiles(output));
  const found = [...own, ...all].find((file) => videoExtensions.test(file.filename));
  if (found === undefined) {
    const listed = all.map((file) => file.filename).join(', ') || 'nothing';
    throw new AppError(
      'engine_failed',
      `ComfyUI finished but saved no video (node ${outputNode}; saved: ${listed})`,
    );
  }
  return found;
}

/**
 * The job error for a `/prompt` 400: the error type and message, and each failing node with its
 * class, input and ComfyUI's message — what an operator needs to fix the template or the models.
 */
export function rejectionError(rejection: PromptRejected): AppError {
  const top =
    typeof rejection.error === 'string'
      ? rejection.error
      : `${rejection.error.type}: ${rejection.error.message}`;
  const nodes = Object.entries(rejection.node_errors).flatMap(([node, detail]) =>
    detail.errors.map((error) => {
      const input = error.extra_info?.input_name;
      const where = `node ${node} (${detail.class_type ?? 'unknown'})${input === undefined ? '' : ` input "${input}"`}`;
      return `${where}: ${error.type}: ${error.details ?? error.message}`;
    }),
  );
  return new AppError(
    'engine_failed',
    `ComfyUI rejected the workflow (${top})${nodes.length > 0 ? `: ${nodes.join('; ')}` : ''}`,
  );
}

/**
 * Cancels our prompt and nothing else: a queued prompt is deleted from the queue; a running one is
 * interrupted by its id (a bare `/interrupt` would stop whatever runs, reference pitfall 1). A
 * prompt that started between the two calls is interrupted too.
 */
export async function cancelPrompt(client: ComfyUiClient, promptId: string, logger: Logger): Promise<void> {
  const signal = AbortSignal.timeout(10_000);
  try {
    let where = await client.place(promptId, signal);
    if (where.place === 'pending') {
      await client.deleteQueued(promptId, signal);
      logger.info({ promptId, server: client.url }, 'cancelled: removed the queued ComfyUI prompt');
      where = await client.place(promptId, signal);
    }
    if (where.place === 'running') {
      await client.interrupt(promptId, signal);
      logger.info({ promptId, server: client.url }, 'cancelled: interrupted the running ComfyUI prompt');
    }
  } catch (error) {
    logger.warn({ err: error, promptId }, 'could not cancel the ComfyUI prompt');
  }
}
