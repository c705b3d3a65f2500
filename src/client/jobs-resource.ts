import type { ApiTransport } from './api-transport.ts';
import { ConnectionError, ReelgateError, RequestAbortedError } from './reelgate-error.ts';
import { parseServerSentEvents } from './server-sent-events.ts';
import type { DeliveryRecord, JobPage, JobStatus, JobView } from './types.ts';
import { deliveryRecordSchema, isTerminalStatus, jobPageSchema, jobViewSchema } from './types.ts';
import { z } from 'zod';

/** What `jobs.create` sends to `POST /v1/jobs`. */
export interface CreateJobParams {
  /** A model id or any of its aliases (see `models.list()`). */
  readonly model: string;
  /** The model's input, exactly as its `input_schema` describes it. */
  readonly input: Readonly<Record<string, unknown>>;
  /** Where to POST the job's callback when it finishes (signed, Standard Webhooks). */
  readonly callbackUrl?: string;
  /**
   * Safe-retry key: the same key and body within 24 h give the same job. When omitted the SDK makes
   * one per call, so its own retries never create a second job.
   */
  readonly idempotencyKey?: string;
  /** Seedance roles of media inputs by their input path, e.g. `{"images[1]": "last_frame"}`. */
  readonly roles?: Readonly<Record<string, string>>;
  /** Also publish the video's last frame as an output (role `last_frame`). */
  readonly returnLastFrame?: boolean;
}

export interface ListJobsParams {
  readonly status?: JobStatus | readonly JobStatus[];
  /** A model id or alias. */
  readonly model?: string;
  /** 1–100, default 20. */
  readonly limit?: number;
  /** `next_cursor` of the previous page. */
  readonly after?: string;
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

export interface WaitOptions extends CallOptions {
  /** Called with the job whenever its status, queue position, progress or stage changes. */
  readonly onProgress?: (job: JobView) => void;
  /** Poll interval when the event stream is unavailable (default 1000 ms). */
  readonly pollIntervalMs?: number;
}

export interface EventsOptions extends CallOptions {
  /** Resume after this event id (what the stream last sent). */
  readonly lastEventId?: string;
}

/** Jobs: create, read, list, cancel, delete, watch. */
export class JobsResource {
  private readonly transport: ApiTransport;

  constructor(transport: ApiTransport) {
    this.transport = transport;
  }

  /** `POST /v1/jobs`: validates the input against the model's schema and queues the job. */
  create(params: CreateJobParams, options: CallOptions = {}): Promise<JobView> {
    return this.transport.json(
      {
        method: 'POST',
        path: '/v1/jobs',
        body: {
          model: params.model,
          input: params.input,
          ...(params.callbackUrl === undefined ? {} : { callback_url: params.callbackUrl }),
          ...(params.roles === undefined ? {} : { roles: params.roles }),
          ...(params.returnLastFrame === undefined ? {} : { return_last_frame: params.returnLastFrame }),
        },
        headers: { 'idempotency-key': params.idempotencyKey ?? newIdempotencyKey() },
        signal: options.signal,
      },
      jobViewSchema,
    );
  }

  /** `GET /v1/jobs/{id}`. */
  get(id: string, options: CallOptions = {}): Promise<JobView> {
    return this.transport.json({ method: 'GET', path: jobPath(id), signal: options.signal }, jobViewSchema);
  }

  /** `GET /v1/jobs`: the key's jobs, newest first, one page. */
  list(params: ListJobsParams = {}, options: CallOptions = {}): Promise<JobPage> {
    const status = typeof params.status === 'string' ? params.status : params.status?.join(',');
    return this.transport.json(
      {
        method: 'GET',
        path: '/v1/jobs',
        query: { status, model: params.model, limit: params.limit, after: params.after },
        signal: options.signal,
      },
      jobPageSchema,
    );
  }

  /** `POST /v1/jobs/{id}/cancel`: a queued or running job; a finished one is a ConflictError. */
  cancel(id: string, options: CallOptions = {}): Promise<JobView> {
    return this.transport.json(
      { method: 'POST', path: `${jobPath(id)}/cancel`, signal: options.signal },
      jobViewSchema,
    );
  }

  /** `DELETE /v1/jobs/{id}`: a finished job and its files; a queued or running one is a ConflictError. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.transport.json(
      { method: 'DELETE', path: jobPath(id), signal: options.signal },
      z.looseObject({ deleted: z.literal(true) }),
    );
  }

  /** `GET /v1/jobs/{id}/callbacks`: every callback delivery with its attempts. */
  callbacks(id: string, options: CallOptions = {}): Promise<DeliveryRecord[]> {
    return this.transport.json(
      { method: 'GET', path: `${jobPath(id)}/callbacks`, signal: options.signal },
      z.array(deliveryRecordSchema),
    );
  }

  /**
   * `GET /v1/jobs/{id}/events`: the job each time it changes, ending after its terminal status.
   * A dropped stream is reopened with `Last-Event-ID` (up to the client's retry budget per gap).
   */
  async *events(id: string, options: EventsOptions = {}): AsyncGenerator<JobView, void, undefined> {
    let lastEventId = options.lastEventId;
    let reconnects = 0;
    for (;;) {
      const response = await this.transport.stream({
        method: 'GET',
        path: `${jobPath(id)}/events`,
        headers: {
          accept: 'text/event-stream',
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        },
        signal: options.signal,
      });
      // 204: the state this client last saw was already the terminal one.
      if (response.status === 204 || response.body === null) return;
      let retryMs = 1000;
      try {
        for await (const event of parseServerSentEvents(response.body)) {
          if (event.id !== undefined) lastEventId = event.id;
          if (event.retry !== undefined) retryMs = event.retry;
          if (event.event === 'error') throw streamError(event.data);
          if (event.event !== 'status') continue;
          const job = jobViewSchema.parse(JSON.parse(event.data));
          reconnects = 0;
          yield job;
          if (isTerminalStatus(job.status)) return;
        }
      } catch (error) {
        if (options.signal?.aborted === true) {
          throw new RequestAbortedError('the request was aborted', { code: 'aborted', cause: error });
        }
        if (error instanceof ReelgateError) throw error;
        // Anything else is the connection dropping mid-stream: reopen it below.
      }
      reconnects += 1;
      if (reconnects > this.transport.options.maxRetries) {
        throw new ConnectionError(`the event stream of job ${id} closed before the job finished`, {
          code: 'stream_closed',
        });
      }
      try {
        await this.transport.options.sleep(retryMs, options.signal);
      } catch (error) {
        throw new RequestAbortedError('the request was aborted', { code: 'aborted', cause: error });
      }
    }
  }

  /**
   * Resolves with the job once it reaches a terminal status (succeeded, failed, cancelled,
   * expired — a failed job resolves too; read its `error`). Watches the event stream and falls
   * back to polling when the stream is unavailable. Rejects with RequestAbortedError on abort.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<JobView> {
    const signal = options.signal;
    let last: JobView | undefined;
    const report = (job: JobView) => {
      if (last === undefined || changeKey(last) !== changeKey(job)) options.onProgress?.(job);
      last = job;
    };
    try {
      for await (const job of this.events(id, { signal })) {
        report(job);
        if (isTerminalStatus(job.status)) return job;
      }
    } catch (error) {
      if (error instanceof RequestAbortedError) throw error;
      // Fall through to polling, which reports a missing job or a bad key on its own.
    }
    for (;;) {
      const job = await this.get(id, { signal });
      report(job);
      if (isTerminalStatus(job.status)) return job;
      try {
        await this.transport.options.sleep(options.pollIntervalMs ?? 1000, signal);
      } catch (error) {
        throw new RequestAbortedError('the request was aborted', { code: 'aborted', cause: error });
      }
    }
  }

  /**
   * The response for one of a succeeded job's outputs (the MP4 by default), body unread, from its
   * signed URL. A URL that has expired is refreshed by reading the job again.
   */
  async openOutput(job: JobView, options: CallOptions & { readonly role?: string } = {}): Promise<Response> {
    const role = options.role ?? 'video';
    const open = (view: JobView) => {
      const output = view.outputs.find((candidate) => candidate.role === role);
      if (output === undefined) {
        throw new ReelgateError(
          `job ${view.id} has no ${role} output (status ${view.status}; outputs: ${view.outputs.map((item) => item.role).join(', ') || 'none'})`,
          { code: 'no_output' },
        );
      }
      return this.transport.stream({
        method: 'GET',
        path: output.url,
        authenticate: false,
        signal: options.signal,
      });
    };
    try {
      return await open(job);
    } catch (error) {
      const expired = error instanceof ReelgateError && (error.status === 403 || error.status === 404);
      if (!expired) throw error;
      return open(await this.get(job.id, { signal: options.signal }));
    }
  }
}

function jobPath(id: string): string {
  return `/v1/jobs/${encodeURIComponent(id)}`;
}

function changeKey(job: JobView): string {
  return [job.status, job.queue_position ?? '', Math.round(job.progress * 100), job.stage ?? ''].join('|');
}

function streamError(data: string): ReelgateError {
  let message = data;
  try {
    const parsed = JSON.parse(data) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON: the data is the message.
  }
  return new ReelgateError(`the job's event stream failed: ${message}`, { code: 'stream_error' });
}

/** A random idempotency key (getRandomValues works in every browser context, randomUUID does not). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `rg-sdk-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
