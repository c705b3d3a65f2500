import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A `reelgate worker` child process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends a signal (default SIGTERM) and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The environment every child gets: quiet logs, no NSFW classifier (seconds of CPU per job). */
function childEnvironment(environment: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, LOG_LEVEL: 'warn', REELGATE_SAFETY: 'off', ...environment };
}

/** Starts `tsx src/cli/main.ts worker` with the given environment; it runs until stopped. */
export function startWorkerProcess(environment: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker'], {
    cwd: repositoryRoot,
    env: childEnvironment(environment),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs one `reelgate <command…>` to completion: its exit code and what it printed. */
export async function runReelgate(
  commandLine: readonly string[],
  environment: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...commandLine],
      {
        cwd: repositoryRoot,
        env: childEnvironment(environment),
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** A `reelgate <command…>` on a pseudo-terminal (util-linux `script`), for what only a TTY shows. */
export interface TerminalSession {
  /** Everything the terminal showed so far. */
  output(): string;
  /** Types into the terminal (e.g. "\x03" for Ctrl-C, which the terminal turns into SIGINT). */
  type(text: string): void;
  /** Resolves when `text` appears on the terminal; rejects after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** The command's exit code (script passes it on with -e). */
  readonly exited: Promise<number | null>;
}

export function runReelgateOnTerminal(
  commandLine: readonly string[],
  environment: Record<string, string>,
): TerminalSession {
  const quoted = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', ...commandLine]
    .map((word) => `'${word.replaceAll("'", "'\\''")}'`)
    .join(' ');
  const child = spawn('script', ['-qfec', quoted, '/dev/null'], {
    cwd: repositoryRoot,
    env: childEnvironment(environment),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    type: (text) => child.stdin.write(text),
    exited,
    waitFor: (text, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const seen = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
        if (seen()) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`the terminal never showed ${String(text)}; it showed:\n${output}`));
        }, timeoutMs);
        const check = () => {
          if (!seen()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      }),
  };
}
