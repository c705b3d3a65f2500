import autocannon from 'autocannon';
import { startServerProcess, temporaryDataDir } from '../test/support/server-process.ts';
import { pacedLoad } from './paced-load.ts';

const benchKey = 'rg_bench_key_0123456789abcdef';

export interface SubmitBenchmark {
  readonly fixedRate: {
    readonly rate: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly errors: number;
  };
  readonly saturated: { readonly requestsPerSecond: number; readonly p99Ms: number; readonly errors: number };
}

/**
 * Submit throughput and latency over real HTTP: a `reelgate serve --no-worker`-equivalent child
 * process (API + SQLite, no worker, so nothing competes with it) and the load from this process:
 * a paced open-loop generator for latency at 500 req/s, autocannon for saturated throughput.
 * Every request is the seed's RunComfy submit; a 200 means the job row is committed.
 */
export async function benchmarkSubmit(options: { seconds?: number } = {}): Promise<SubmitBenchmark> {
  const seconds = options.seconds ?? 10;
  const server = await startServerProcess({
    REELGATE_DATA_DIR: await temporaryDataDir(),
    REELGATE_BOOTSTRAP_KEY: benchKey,
    REELGATE_WORKER: 'false',
    LOG_LEVEL: 'error',
  });
  const request = {
    url: `${server.url}/v1/models/bytedance/seedance-v2/fast`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${benchKey}` },
    body: JSON.stringify({ prompt: 'Golden hour on a quiet cafe terrace, slow push-in.' }),
  };
  try {
    // Warm-up (JIT, page cache), then an open-loop paced run: autocannon's -R sends each second's
    // requests in one burst, which would measure queueing behind the burst instead of the server.
    await pacedLoad({ ...request, rate: 500, seconds: 3 });
    const fixed = await pacedLoad({ ...request, rate: 500, seconds });
    const saturated = await autocannon({ ...request, connections: 50, pipelining: 1, duration: seconds });
    return {
      fixedRate: { rate: fixed.achievedRate, p50Ms: fixed.p50Ms, p99Ms: fixed.p99Ms, errors: fixed.errors },
      saturated: {
        requestsPerSecond: saturated.requests.average,
        p99Ms: saturated.latency.p99,
        errors: saturated.errors + saturated.non2xx,
      },
    };
  } finally {
    await server.stop();
  }
}
