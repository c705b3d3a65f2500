import type { FastifyInstance } from 'fastify';
import type { BlobStore } from '../storage/blob-store.ts';
import type { JobStore } from '../store/job-store.ts';

export interface ReadinessOptions {
  readonly store: JobStore;
  readonly blobStore: BlobStore;
  /** How long each check may take before it counts as failed (default 3000 ms). */
  readonly timeoutMs?: number;
}

/** A key no blob is ever stored under; asking for it proves storage answers (404 is an answer). */
const probeKey = 'health/readiness-probe';

type CheckResult = 'ok' | 'unreachable' | 'timeout';

/**
 * `GET /ready`: whether this node can serve traffic — the database answers a query and the blob
 * storage answers a lookup. 200 when both do, 503 naming the one that did not otherwise, so a load
 * balancer takes the node out of rotation while PostgreSQL or S3 is away. `/health` stays liveness
 * (the process is up), so an orchestrator does not restart a node for an outage it cannot fix.
 * No authentication and no error details in the body (they are logged): the route is public.
 */
export async function registerReadinessRoute(app: FastifyInstance, options: ReadinessOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const schema = { tags: ['Operations'], summary: 'Readiness: database and storage reachable' };
  app.get('/ready', { schema }, async (request, reply) => {
    const [database, storage] = await Promise.all([
      check(
        () => options.store.countActiveApiKeys(),
        timeoutMs,
        (error) => request.log.warn({ err: error }, 'readiness: database check failed'),
      ),
      check(
        () => options.blobStore.stat(probeKey),
        timeoutMs,
        (error) => request.log.warn({ err: error }, 'readiness: storage check failed'),
      ),
    ]);
    const ready = database === 'ok' && storage === 'ok';
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', checks: { database, storage } });
  });
}

async function check(
  probe: () => Promise<unknown>,
  timeoutMs: number,
  report: (error: unknown) => void,
): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([probe().then(() => 'ok' as const), timedOut]);
    if (outcome === 'timeout') report(new Error(`no answer within ${timeoutMs} ms`));
    return outcome;
  } catch (error) {
    report(error);
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
