import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobStore } from '../store/job-store.ts';

/** Seconds; from a status poll (milliseconds) to a long render (an hour). */
const durationBuckets = [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const httpBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * Every series Reelgate exposes on `/metrics`. Queued and running jobs, the queue depth and the
 * callback backlog are read from the store when scraped, so each process reports the whole
 * system's truth (any node can be scraped); finished jobs, latencies, engine errors and callback
 * attempts are what this process did or observed, which Prometheus sums across processes.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly queueWait: Histogram<'model'>;
  readonly runDuration: Histogram<'model' | 'outcome'>;
  readonly engineErrors: Counter<'model' | 'code'>;
  readonly callbackAttempts: Counter<'format' | 'outcome'>;
  readonly jobsFinished: Counter<'status' | 'model'>;

  constructor(store: JobStore) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'reelgate_process_' });
    new Gauge({
      name: 'reelgate_jobs',
      help: 'Queued and running jobs by status and model, across every process (read from the store at scrape time)',
      labelNames: ['status', 'model'] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of await store.statistics.countUnfinishedByModel()) {
          this.set({ status: row.status, model: row.model }, row.count);
        }
      },
    });
    new Gauge({
      name: 'reelgate_queue_depth',
      help: 'Jobs waiting in the queue (status queued), across every process',
      registers,
      async collect() {
        const rows = await store.statistics.countUnfinishedByModel();
        this.set(rows.reduce((sum, row) => sum + (row.status === 'queued' ? row.count : 0), 0));
      },
    });
    this.jobsFinished = new Counter({
      name: 'reelgate_jobs_finished_total',
      help: 'Jobs this process moved to a finished status (succeeded, failed, cancelled, expired), by model',
      labelNames: ['status', 'model'] as const,
      registers,
    });
    store.onJobFinished((job) => this.jobsFinished.inc({ status: job.status, model: job.model }));
    new Gauge({
      name: 'reelgate_callback_deliveries_pending',
      help: 'Webhook deliveries waiting for their next attempt, across every process',
      registers,
      async collect() {
        this.set(await store.statistics.countPendingDeliveries());
      },
    });
    this.queueWait = new Histogram({
      name: 'reelgate_job_queue_wait_seconds',
      help: 'Time from a job becoming claimable to a worker starting it',
      labelNames: ['model'] as const,
      buckets: durationBuckets,
      registers,
    });
    this.runDuration = new Histogram({
      name: 'reelgate_job_run_seconds',
      help: 'Duration of one attempt, by outcome (succeeded, failed, stopped)',
      labelNames: ['model', 'outcome'] as const,
      buckets: durationBuckets,
      registers,
    });
    this.engineErrors = new Counter({
      name: 'reelgate_engine_errors_total',
      help: 'Failed attempts by error code (engine, inputs, output checks)',
      labelNames: ['model', 'code'] as const,
      registers,
    });
    this.callbackAttempts = new Counter({
      name: 'reelgate_callback_attempts_total',
      help: 'Webhook delivery attempts by outcome: delivered, retry (will be tried again) or failed',
      labelNames: ['format', 'outcome'] as const,
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'reelgate_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: httpBuckets,
      registers,
    });
  }

  /** The text exposition and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
