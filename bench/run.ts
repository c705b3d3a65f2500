import { cpus, totalmem } from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { resolveFfmpegBinaries } from '../src/media/ffmpeg-binaries.ts';
import { locateFont } from '../src/media/font.ts';
import { benchmarkAnimatic } from './animatic-bench.ts';
import { median } from './drain-queue.ts';
import { benchmarkPickup } from './pickup-bench.ts';
import { benchmarkAgainstPgBoss } from './pg-boss-bench.ts';
import { benchmarkPostgresStore } from './postgres-store-bench.ts';
import { benchmarkProbe } from './probe-bench.ts';
import { benchmarkSafety } from './safety-bench.ts';
import { benchmarkStore } from './store-bench.ts';
import { benchmarkSubmit } from './submit-bench.ts';
import { benchmarkWebhooks } from './webhook-bench.ts';

/**
 * `npm run bench`: every DESIGN.md §9 target this build can measure, printed as a table with the
 * machine it ran on. Copy the output into docs/BENCHMARKS.md.
 */
const rows: [string, string, string][] = [];
const show = (what: string, value: string, target: string) => {
  rows.push([what, value, target]);
  console.log(`${what.padEnd(46)} ${value.padEnd(26)} ${target}`);
};
const ms = (value: number) => `${value.toFixed(2)} ms`;

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);

const submit = await benchmarkSubmit();
show('submit at a fixed 500 req/s: p50', ms(submit.fixedRate.p50Ms), '');
show('submit at a fixed 500 req/s: p99', ms(submit.fixedRate.p99Ms), '≤ 5 ms');
show(
  'submit, saturated (50 connections)',
  `${submit.saturated.requestsPerSecond.toFixed(0)} req/s`,
  '≥ 10 000 req/s',
);
show('submit errors (both runs)', String(submit.fixedRate.errors + submit.saturated.errors), '0');

const pickup = await benchmarkPickup();
show('queued → worker started: p50', ms(pickup.p50Ms), '');
show('queued → worker started: p99', ms(pickup.p99Ms), '≤ 10 ms');

const webhooks = await benchmarkWebhooks();
show('completion → first webhook attempt: p50', ms(webhooks.p50Ms), '');
show('completion → first webhook attempt: p99', ms(webhooks.p99Ms), '≤ 250 ms');

const folder = await mkdtemp(path.join(tmpdir(), 'reelgate-bench-'));
for (const synchronous of ['NORMAL', 'FULL'] as const) {
  const store = await benchmarkStore({ file: path.join(folder, `store-${synchronous}.db`), synchronous });
  show(
    `store claim + complete (synchronous=${synchronous})`,
    `${store.claimCompletePerSecond.toFixed(0)} jobs/s`,
    synchronous === 'NORMAL' ? '≥ 10 000 jobs/s' : '',
  );
  show(
    `store insert (synchronous=${synchronous})`,
    `${store.insertPerSecond.toFixed(0)} /s, p99 ${ms(store.insertP99Ms)}`,
    '',
  );
}

// PostgreSQL on a throwaway cluster of this machine, durable (fsync on): needs initdb / pg_ctl.
const postgres = await benchmarkPostgresStore();
show(
  'store claim + complete, PostgreSQL (1 claimer)',
  `${postgres.claimCompletePerSecond.toFixed(0)} jobs/s`,
  '',
);
show(
  `store claim + complete, PostgreSQL (${postgres.claimers} claimers)`,
  `${postgres.concurrentClaimCompletePerSecond.toFixed(0)} jobs/s`,
  '',
);
show(
  'store insert, PostgreSQL',
  `${postgres.insertPerSecond.toFixed(0)} /s, p99 ${ms(postgres.insertP99Ms)}`,
  '',
);

// Reelgate's PostgreSQL store against pg-boss 10 on one durable throwaway cluster, interleaved.
const versus = await benchmarkAgainstPgBoss();
show(
  `claim + complete, Reelgate vs pg-boss (${versus.claimers} claimers)`,
  `${median(versus.reelgate).toFixed(0)} vs ${median(versus.pgBoss).toFixed(0)} jobs/s (${versus.ratio.toFixed(2)}×)`,
  '≥ 2× pg-boss',
);
show(
  'claim + complete, Reelgate vs pg-boss (1 claimer)',
  `${median(versus.reelgateSingle).toFixed(0)} vs ${median(versus.pgBossSingle).toFixed(0)} jobs/s`,
  '',
);
show(
  `pg-boss, batches of ${versus.batchSize} (${versus.claimers} claimers)`,
  `${median(versus.pgBossBatch).toFixed(0)} jobs/s`,
  '',
);
show(
  'queued → started, PostgreSQL (LISTEN/NOTIFY): max',
  `${ms(versus.reelgatePickup.maxMs)} (p50 ${ms(versus.reelgatePickup.p50Ms)})`,
  '≤ 20 ms',
);
show(
  'same, from the commit acknowledged: max',
  `${ms(versus.reelgatePickup.afterCommitMaxMs)} (p50 ${ms(versus.reelgatePickup.afterCommitP50Ms)})`,
  '',
);
show(
  `queued → started, pg-boss (polls every ${versus.pgBossPollingSeconds} s): max`,
  `${ms(versus.pgBossPickup.maxMs)} (p50 ${ms(versus.pgBossPickup.p50Ms)})`,
  '',
);
show(
  'pg-boss comparison: load average before → after',
  `${versus.load.before.toFixed(2)} → ${versus.load.after.toFixed(2)}`,
  '',
);

const config = loadConfig();
const binaries = resolveFfmpegBinaries({
  ffmpegPath: config.ffmpegPath,
  ffprobePath: config.ffprobePath,
  searchPath: config.searchPath,
});
const probe = await benchmarkProbe({ binaries });
show(`ffprobe of a 5 s 720p MP4 (${binaries.source} ffprobe): median`, ms(probe.medianMs), '≤ 100 ms');

const animatic = await benchmarkAnimatic({ binaries, fontFile: locateFont(), runs: 3 });
show(
  `animatic 5 s ${animatic.width}×${animatic.height} with audio (${binaries.source} ffmpeg)`,
  `${animatic.realtimeFactor.toFixed(2)}× realtime`,
  '≥ 3× realtime',
);
const firstLast = await benchmarkAnimatic({
  binaries,
  fontFile: locateFont(),
  runs: 3,
  scenario: 'first-last',
});
show(
  `animatic first + last 10 s ${firstLast.width}×${firstLast.height}, audio + dialogue`,
  `${firstLast.realtimeFactor.toFixed(2)}× realtime`,
  '≥ 2× realtime',
);

// 15 interleaved pairs: the difference is a tenth of a 1.7 s job, and with 5 pairs one busy
// moment of the host moved the median by ±5 points.
const safety = await benchmarkSafety(15);
show('animatic 5 s 720p job, safety off: median', ms(safety.offMedianMs), '');
show(
  `same job, safety flag (${safety.framesPerJob} frames): median`,
  `${ms(safety.flagMedianMs)} (+${(safety.addedFraction * 100).toFixed(0)} %)`,
  '≤ +10 %',
);
show(
  'same job, CPU time (process + ffmpeg): off → flag',
  `${ms(safety.offCpuMs)} → ${ms(safety.flagCpuMs)} (+${(safety.addedCpuFraction * 100).toFixed(0)} %)`,
  '',
);
show(`safety: one 224×224 frame (tfjs ${safety.backend}): median`, ms(safety.frameMs), '');
show('safety: model load, once per worker process', ms(safety.loadMs), '');
show(
  'safety: load average during the runs',
  safety.loadAverage.map((value) => value.toFixed(1)).join(' → '),
  '',
);
