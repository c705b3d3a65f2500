import { createWriteStream, openAsBlob } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import type { HistoryEntry, OutputFile, PromptRejected } from './comfyui-protocol.ts';
import {
  historySchema,
  modelListSchema,
  promptAcceptedSchema,
  promptRejectedSchema,
  queueSchema,
  systemStatsSchema,
  uploadResponseSchema,
} from './comfyui-protocol.ts';

/** Where a prompt is on its server right now. */
export type PromptPlace = 'running' | 'pending' | 'absent';

/** Calls that may hang on a sick server end after this long; downloads are not capped. */
const requestTimeoutMs = 30_000;

/**
 * The HTTP side of one ComfyUI server (reference §1). Every answer goes through a zod schema; a
 * server that cannot be reached, or answers 5xx, is `engine_unavailable` (retryable): nothing
 * was accepted, so another server or engine may take the work.
 */
export class ComfyUiClient {
  readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(url: string, options: { fetch?: typeof fetch } = {}) {
    this.url = url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  /** `GET /system_stats`: answers when the server is up. */
  async systemStats(signal?: AbortSignal): Promise<z.infer<typeof systemStatsSchema>> {
    return this.json('GET', '/system_stats', systemStatsSchema, { signal, timeoutMs: 5000 });
  }

  /** `GET /models/{folder}`: the model files ComfyUI can load from that folder. */
  async models(folder: string, signal?: AbortSignal): Promise<string[]> {
    return this.json('GET', `/models/${encodeURIComponent(folder)}`, modelListSchema, { signal });
  }

  /**
   * `POST /upload/image` (also for mp4 / wav): streams the file as the `image` part and returns
   * the name to reference, `sub/name` when ComfyUI put it in a subfolder.
   */
  async upload(file: string, name: string, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.set('image', await openAsBlob(file), name);
    form.set('type', 'input');
    form.set('overwrite', 'true');
    const uploaded = await this.json('POST', '/upload/image', uploadResponseSchema, { body: form, signal });
    return uploaded.subfolder === '' ? uploaded.name : `${uploaded.subfolder}/${uploaded.name}`;
  }

  /**
   * `POST /prompt` with our own `prompt_id`. A 400 (validation) is returned, not thrown, so the
   * engine can name the node; unreachable or 5xx throws `engine_unavailable`.
   */
  async queuePrompt(
    body: { prompt: unknown; client_id: string; prompt_id: string },
    signal?: AbortSignal,
  ): Promise<
    { accepted: true; nodeErrors: Record<string, unknown> } | { accepted: false; rejection: PromptRejected }
  > {
    const response = await this.request('POST', '/prompt', { json: body, signal });
    const text = await response.text();
    if (response.status === 400) {
      const rejection = promptRejectedSchema.safeParse(parseJson(text));
      if (rejection.success) return { accepted: false, rejection: rejection.data };
    }
    if (!response.ok) throw this.unexpected('POST /prompt', response.status, text);
    const accepted = this.parse('POST /prompt', promptAcceptedSchema, parseJson(text));
    return { accepted: true, nodeErrors: accepted.node_errors };
  }

  /** Whether the prompt is running, waiting in the queue, or unknown to the queue. */
  async place(promptId: string, signal?: AbortSignal): Promise<{ place: PromptPlace; graph?: unknown }> {
    const queue = await this.json('GET', '/queue', queueSchema, { signal });
    const running = queue.queue_running.find((item) => item[1] === promptId);
    if (running !== undefined) return { place: 'running', graph: running[2] };
    const pending = queue.queue_pending.find((item) => item[1] === promptId);
    if (pending !== undefined) return { place: 'pending', graph: pending[2] };
    return { place: 'absent' };
  }

  /** `POST /queue {delete}`: removes a prompt that has not started (no effect on a running one). */
  async deleteQueued(promptId: string, signal?: AbortSignal): Promise<void> {
    await this.expectOk(
      'POST /queue',
      await this.request('POST', '/queue', { json: { delete: [promptId] }, signal }),
    );
  }

  /** `POST /interrupt {prompt_id}`: stops that prompt only if it is the one running; never global. */
  async interrupt(promptId: string, signal?: AbortSignal): Promise<void> {
    const response = await this.request('POST', '/interrupt', { json: { prompt_id: promptId }, signal });
    await this.expectOk('POST /interrupt', response);
  }

  /** `GET /history/{id}`: the finished prompt, or undefined while it is queued or running. */
  async history(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | undefined> {
    const history = await this.json('GET', `/history/${encodeURIComponent(promptId)}`, historySchema, {
      signal,
    });
    return history[promptId];
  }

  /** `GET /view`: streams a saved file to `destination` (never buffered whole). */
  async download(file: OutputFile, destination: string, signal?: AbortSignal): Promise<void> {
    const query = new URLSearchParams({
      filename: file.filename,
      subfolder: file.subfolder,
      type: file.type,
    });
    const response = await this.request('GET', `/view?${query.toString()}`, { signal, timeoutMs: 0 });
    if (!response.ok || response.body === null) {
      throw new AppError(
        'engine_failed',
        `ComfyUI at ${this.url} could not serve ${file.filename}: HTTP ${response.status}`,
        {
          retryable: true,
        },
      );
    }
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      createWriteStream(destination),
      ...(signal === undefined ? [] : [{ signal }]),
    );
  }

  private async json<Schema extends z.ZodType>(
    method: string,
    route: string,
    schema: Schema,
    options: { body?: FormData; signal?: AbortSignal | undefined; timeoutMs?: number },
  ): Promise<z.infer<Schema>> {
    const response = await this.request(method, route, options);
    const text = await response.text();
    if (!response.ok) throw this.unexpected(`${method} ${route}`, response.status, text);
    return this.parse(`${method} ${route}`, schema, parseJson(text));
  }

  private async request(
    method: string,
    route: string,
    options: { json?: unknown; body?: FormData; signal?: AbortSignal | undefined; timeoutMs?: number },
  ): Promise<Response> {
    const timeoutMs = options.timeoutMs ?? requestTimeoutMs;
    const signals = [
      ...(options.signal === undefined ? [] : [options.signal]),
      ...(timeoutMs > 0 ? [AbortSignal.timeout(timeoutMs)] : []),
    ];
    try {
      return await this.fetch(`${this.url}${route}`, {
        method,
        ...(options.json === undefined
          ? options.body === undefined
            ? {}
            : { body: options.body }
          : { body: JSON.stringify(options.json), headers: { 'content-type': 'application/json' } }),
        ...(signals.length === 0 ? {} : { signal: AbortSignal.any(signals) }),
      });
    } catch (error) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      throw new AppError(
        'engine_unavailable',
        `ComfyUI at ${this.url} is unreachable (${method} ${route}): ${describe(error)}`,
        {
          retryable: true,
          cause: error,
        },
      );
    }
  }

  private async expectOk(what: string, response: Response): Promise<void> {
    const text = await response.text();
    if (!response.ok) throw this.unexpected(what, response.status, text);
  }

  private unexpected(what: string, status: number, text: string): AppError {
    return new AppError(
      'engine_unavailable',
      `ComfyUI at ${this.url} answered ${what} with HTTP ${status}: ${text.slice(0, 200)}`,
      {
        retryable: true,
      },
    );
  }

  private parse<Schema extends z.ZodType>(what: string, schema: Schema, value: unknown): z.infer<Schema> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new AppError(
      'engine_failed',
      `ComfyUI at ${this.url} sent an unexpected answer to ${what}: ${parsed.error.message}`,
      {
        retryable: true,
      },
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The innermost cause of a fetch failure (`ECONNREFUSED`, a timeout…). */
function describe(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  if (current instanceof Error) return (current as NodeJS.ErrnoException).code ?? current.message;
  return String(current);
}
