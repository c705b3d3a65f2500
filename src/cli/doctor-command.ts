import { ConfigError, loadConfig } from '../config.ts';
import type { Config } from '../config.ts';
import { checkDatabase, checkEngines, checkFfmpeg, checkStorage } from './doctor-checks.ts';
import type { CheckOptions, CheckResult } from './doctor-checks.ts';

export interface DoctorOptions extends Partial<CheckOptions> {
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Where the report goes (default stdout). */
  readonly print?: (line: string) => void;
}

/**
 * `reelgate doctor`: checks the configuration, ffmpeg and ffprobe (with the libx264 and aac
 * encoders), the database (reachable, schema current — it never migrates), the storage (a test
 * file written, read back and deleted) and every configured engine (ComfyUI `/system_stats`,
 * hosted providers' base URLs). Prints one line per check in plain words; returns 1 when anything
 * is wrong, 0 when all is well.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const checkOptions: CheckOptions = { timeoutMs: options.timeoutMs ?? 5000, fetch: options.fetch ?? fetch };
  const results: CheckResult[] = [];
  let config: Config | undefined;
  try {
    config = loadConfig(options.environment ?? process.env);
    results.push({ name: 'configuration', ok: true, detail: describeConfig(config) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    results.push({ name: 'configuration', ok: false, detail: error.message });
  }
  print('reelgate doctor');
  for (const result of results) print(formatResult(result));
  if (config !== undefined) {
    // Each check reports as it finishes, so a slow network check does not hide the others.
    const checks: Promise<CheckResult | CheckResult[]>[] = [
      checkFfmpeg(config, checkOptions),
      checkDatabase(config, checkOptions),
      checkStorage(config),
      checkEngines(config, checkOptions),
    ];
    for (const check of checks) {
      for (const result of [await check].flat()) {
        results.push(result);
        print(formatResult(result));
      }
    }
  }
  const problems = results.filter((result) => !result.ok).length;
  print(problems === 0 ? '\nAll checks passed.' : `\n${problems} problem${problems === 1 ? '' : 's'} found.`);
  return problems === 0 ? 0 : 1;
}

function formatResult(result: CheckResult): string {
  return `  ${result.ok ? 'ok  ' : 'FAIL'}  ${result.name}: ${result.detail}`;
}

function describeConfig(config: Config): string {
  const database = config.database.kind === 'postgres' ? 'PostgreSQL' : 'SQLite';
  const storage = config.storage.kind === 's3' ? `S3 bucket ${config.storage.bucket}` : 'local storage';
  const worker = config.worker.enabled ? `a worker (${config.worker.concurrency} at a time)` : 'no worker';
  return `valid (${database}, ${storage}, ${worker}, data folder ${config.dataDir})`;
}
