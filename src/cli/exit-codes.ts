import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  ReelgateError,
} from '../client/index.ts';

/**
 * The client commands' exit codes, so scripts can tell what went wrong (documented in README
 * and `reelgate generate --help`).
 */
export const exitCodes = {
  ok: 0,
  /** Anything unexpected. */
  failure: 1,
  /** Bad input: a flag, a file, a model or a value the server refused (4xx). */
  badInput: 2,
  /** No API key, or one the server refused (401 / 403). */
  auth: 3,
  /** The server could not be reached or failed (5xx). */
  server: 4,
  /** The job ended failed, expired or cancelled. */
  jobFailed: 5,
  /** Stopped with Ctrl-C. */
  interrupted: 130,
} as const;

/** The summary of exit codes printed by `--help`. */
export const exitCodeHelp = `
Exit codes:
  0  success
  2  bad input (a flag, a file, a model or a value the server refused)
  3  authentication (no API key, or one the server refused)
  4  server failure (unreachable, or an HTTP 5xx)
  5  the job failed, expired or was cancelled
  130 interrupted (Ctrl-C)`;

/** A failure the CLI reports with its own message and exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The exit code for anything a command threw. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) return exitCodes.auth;
  if (error instanceof ConnectionError || error instanceof InternalServerError) return exitCodes.server;
  if (error instanceof BadRequestError || error instanceof NotFoundError || error instanceof ConflictError) {
    return exitCodes.badInput;
  }
  if (error instanceof ReelgateError && error.status !== undefined && error.status < 500)
    return exitCodes.badInput;
  return exitCodes.failure;
}

/**
 * What the CLI prints for an error: its message, and each broken rule on its own line, named by
 * the flag that set it when `flagOf` knows one.
 */
export function describeError(
  error: unknown,
  flagOf: (field: string) => string | undefined = () => undefined,
): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ReelgateError) || error.issues.length === 0) return message;
  return error.issues
    .map((issue) => {
      const flag = flagOf(issue.field);
      return flag === undefined ? issue.message : `${issue.message} (${flag})`;
    })
    .join('\n');
}
