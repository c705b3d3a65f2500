import http from 'node:http';

export interface PacedResult {
  readonly sent: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly achievedRate: number;
}

/**
 * An open-loop load generator: request i is due at start + i / rate, whether or not earlier
 * requests have answered, and its latency is measured from when it was due (so a stall is not
 * hidden by the generator waiting for it — no coordinated omission). autocannon's `-R` sends
 * each second's requests in a burst, which measures queueing behind the burst, not the server.
 */
export async function pacedLoad(options: {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
  rate: number;
  seconds: number;
}): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(options.url);
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];

  const send = (dueAt: number) =>
    new Promise<void>((resolve) => {
      const request = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: options.method,
          headers: options.headers,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode !== undefined && response.statusCode >= 300) errors += 1;
            latencies.push(performance.now() - dueAt);
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors += 1;
        resolve();
      });
      request.end(options.body);
    });

  for (let index = 0; index < total; index += 1) {
    const dueAt = start + (index * 1000) / options.rate;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait - 0.5));
    while (performance.now() < dueAt) {
      // Spin for the last half millisecond: timers alone are too coarse for 2 ms spacing.
    }
    inFlight.push(send(dueAt));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (quantile: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? Number.NaN;
  return {
    sent: total,
    errors,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    achievedRate: total / elapsed,
  };
}
