import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

/**
 * Header and field paths whose values are secrets wherever they appear in a log object. pino's
 * redaction (fast-redact) compiles these once; a line that lacks them costs nothing.
 */
export const redactedPaths: readonly string[] = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["webhook-signature"]',
  'headers["x-runflow-signature"]',
  'authorization',
  'apiKey',
  'secret',
  'signingSecret',
  'webhookSecret',
];

const redacted = '[REDACTED]';

/**
 * Secrets that can hide inside any string of a line (a message, a URL, an error's message or
 * stack): bearer tokens, Reelgate key and webhook secrets, and the signature and credential
 * parameters of signed URLs (ours `signature`, S3's `X-Amz-Signature` / `X-Amz-Credential` /
 * `X-Amz-Security-Token`). The characters matched stop at JSON string and URL delimiters.
 */
const secretPatterns: readonly [RegExp, string][] = [
  [/(bearer\s+)[^\s"\\,]+/gi, `$1${redacted}`],
  [/\brg_[A-Za-z0-9_-]{8,}/g, `rg_${redacted}`],
  [/\bwhsec_[A-Za-z0-9+/=_-]{8,}/g, `whsec_${redacted}`],
  [
    /([?&](?:signature|x-amz-signature|x-amz-credential|x-amz-security-token|sig|token|api_key|apikey|key)=)[^&\s"\\#]*/gi,
    `$1${redacted}`,
  ],
];

/** Replaces every secret the patterns know in `text`. */
export function scrubSecrets(text: string): string {
  let scrubbed = text;
  for (const [pattern, replacement] of secretPatterns) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

/**
 * A destination that scrubs each serialized line before writing it. Scrubbing the finished line
 * catches secrets wherever they ended up (messages, bindings, error stacks) without walking
 * objects; logs are per job and per error, not per request, so one regex pass per line is cheap.
 */
export function scrubbingDestination(target: { write(line: string): unknown }): DestinationStream {
  return { write: (line: string) => void target.write(scrubSecrets(line)) };
}

/**
 * The process logger: JSON lines, known secret fields redacted, every line scrubbed of secrets
 * hiding in strings. `destination` defaults to stdout.
 */
export function createLogger(level: string, destination?: { write(line: string): unknown }): Logger {
  return pino(
    { level, redact: { paths: [...redactedPaths], censor: redacted } },
    scrubbingDestination(destination ?? process.stdout),
  );
}
