import autocannon from 'autocannon';
import { startServerProcess, temporaryDataDir } from '../test/support/server-process.ts';

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
 * process (API + SQLite, no worker, so nothing competes with it) and autocannon in this process.
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
    await autocannon({ ...request, connections: 10, duration: 2 }); // warm-up: JIT, page cache
    const fixed = await autocannon({ ...request, connections: 20, overallRate: 500, duration: seconds });
    const saturated = await autocannon({ ...request, connections: 50, pipelining: 1, duration: seconds });
    return {
      fixedRate: {
        rate: fixed.requests.average,
        p50Ms: fixed.latency.p50,
        p99Ms: fixed.latency.p99,
        errors: fixed.errors + fixed.non2xx,
      },
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
