import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Job } from '../domain/job.ts';
import { isTerminal } from '../domain/job.ts';

/**
 * Live status for clients that cannot take callbacks: a Server-Sent Events stream per job, and
 * `Prefer: wait=N` on create routes. Both read the job from the store (any API node answers for
 * any job, whichever worker runs it), polling a primary-key read every `pollMs`.
 */

export interface LiveStatusOptions {
  /** Store read interval while a client watches (default 250 ms). */
  readonly pollMs?: number;
  /** Comment line sent when nothing else was, so proxies keep the stream open (default 15 s). */
  readonly keepAliveMs?: number;
}

/** What one SSE event carries: the job in the route's own vocabulary. */
export interface JobEventSource {
  /** The job as the route read it (ownership checked). */
  readonly job: Job;
  /** The same job read again. */
  reload(job: Job): Promise<Job>;
  /** Its queue position when queued. */
  queuePosition(job: Job): Promise<number | undefined>;
  /** The event's data, in the dialect's vocabulary. */
  render(job: Job, queuePosition: number | undefined): Promise<unknown>;
}

/**
 * Streams `event: status` messages whenever the job's status, progress, stage or queue position
 * changes, then closes after the terminal one. Each event id names the state it reported, so a
 * client that reconnects with `Last-Event-ID` is sent only what changed since; a client that
 * already saw the terminal event gets 204, which tells EventSource to stop reconnecting.
 */
export async function streamJobEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  source: JobEventSource,
  options: LiveStatusOptions = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  let job = source.job;
  let position = await source.queuePosition(job);
  const lastEventId = headerText(request.headers['last-event-id']);
  if (lastEventId !== undefined && lastEventId === stateId(job, position) && isTerminal(job.status)) {
    await reply.code(204).send();
    return;
  }

  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  raw.on('close', () => {
    closed = true;
  });
  let sentId = lastEventId;
  let lastWrite = Date.now();
  // Reconnect hint for EventSource, in milliseconds.
  raw.write('retry: 2000\n\n');
  try {
    for (;;) {
      const id = stateId(job, position);
      if (id !== sentId) {
        const data = JSON.stringify(await source.render(job, position));
        raw.write(`id: ${id}\nevent: status\ndata: ${data}\n\n`);
        sentId = id;
        lastWrite = Date.now();
      }
      if (isTerminal(job.status) || closed) break;
      await sleep(pollMs);
      if (closed) break;
      if (Date.now() - lastWrite >= keepAliveMs) {
        raw.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      job = await source.reload(job);
      position = await source.queuePosition(job);
    }
  } catch (error) {
    // The job vanished (deleted) or the store failed mid-stream: say so, then close.
    const message = error instanceof Error ? error.message : String(error);
    if (!closed) raw.write(`event: error\ndata: ${JSON.stringify({ message })}\n\n`);
  } finally {
    if (!closed) raw.end();
  }
}

/** The state an event reported: what a reconnecting client has already seen. */
function stateId(job: Job, position: number | undefined): string {
  const progress = Math.round(job.progress * 100);
  return [job.status, progress, job.stage ?? '', position ?? ''].join('.').replace(/[\r\n]/g, ' ');
}

/** The most `Prefer: wait` may hold a create request. */
export const maximumWaitSeconds = 60;

/**
 * `Prefer: wait=N` (RFC 7240; Replicate's sync mode): seconds to hold a create response for the job
 * to finish, at most 60; undefined when the header does not ask.
 */
export function preferredWaitSeconds(request: FastifyRequest): number | undefined {
  const header = headerText(request.headers['prefer']);
  if (header === undefined) return undefined;
  const match = /(?:^|[,;\s])wait\s*=\s*(\d+)/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  return Math.min(Number(match[1]), maximumWaitSeconds);
}

/**
 * Holds until the job is finished or `seconds` pass, and returns it as it is then. Sets
 * `Preference-Applied` so the client knows the wait was honoured.
 */
export async function waitForJob(
  reply: FastifyReply,
  job: Job,
  seconds: number,
  load: () => Promise<Job>,
  pollMs = 100,
): Promise<Job> {
  void reply.header('preference-applied', `wait=${seconds}`);
  const deadline = Date.now() + seconds * 1000;
  let current = job;
  let closed = false;
  reply.raw.once('close', () => {
    closed = true;
  });
  while (!isTerminal(current.status) && Date.now() < deadline && !closed) {
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    current = await load();
  }
  return current;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The create routes' use of `Prefer: wait`: the submitted job, or (when the client asked to
 * wait) the job as it is once it finished or the wait ran out. `waited` says whether the caller
 * should answer with the job's full state instead of its usual create acknowledgement.
 */
export async function withPreferredWait(
  request: FastifyRequest,
  reply: FastifyReply,
  job: Job,
  load: (job: Job) => Promise<Job>,
): Promise<{ readonly job: Job; readonly waited: boolean }> {
  const seconds = preferredWaitSeconds(request);
  if (seconds === undefined) return { job, waited: false };
  return { job: await waitForJob(reply, job, seconds, () => load(job)), waited: true };
}
