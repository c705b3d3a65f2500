import { z } from 'zod';
import { AppError } from '../../domain/app-error.ts';
import type { UpstreamHttp, UpstreamRequest, UpstreamResponse } from './upstream-http.ts';
import { UpstreamUnreachable } from './upstream-http.ts';

/**
 * Provider failures → AppErrors. The one rule that matters for money: `engine_unavailable` with
 * `retryable: true` means "the provider did not take the job" (unreachable, 5xx or 429 on submit),
 * and only that lets the router try the next engine. Everything after acceptance is another code.
 */

/** A provider's error as `{code, message}`, from any of the three envelopes. */
export interface ProviderError {
  readonly code: string | undefined;
  readonly message: string | undefined;
}

/**
 * Reads ModelArk's `{error:{code,message}}`, RunComfy's `{error_code, error_message}` (or
 * `message` / `error`), and Runflow's top-level `{code, message}`.
 */
export function providerErrorOf(body: unknown): ProviderError {
  if (typeof body !== 'object' || body === null) return { code: undefined, message: undefined };
  const record = body as Record<string, unknown>;
  const nested = record['error'];
  if (typeof nested === 'object' && nested !== null) {
    const inner = nested as Record<string, unknown>;
    return { code: text(inner['code'] ?? inner['type']), message: text(inner['message']) };
  }
  return {
    code: text(record['error_code'] ?? record['code'] ?? record['failure_code']),
    message: text(record['error_message'] ?? record['message'] ?? record['failure_message'] ?? nested),
  };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Whether an answer says "try again later": the provider is overloaded or broken, not our request. */
export function isTransient(response: UpstreamResponse): boolean {
  return response.status >= 500 || response.status === 429;
}

/** Provider error codes that mean its content filter refused the prompt, an input or the output. */
const contentPolicyCode = /sensitive|content_?policy|nsfw|moderation/i;

function describe(response: UpstreamResponse): string {
  const error = providerErrorOf(response.body);
  const code = error.code === undefined ? '' : ` ${error.code}`;
  const message = error.message ?? (response.text.trim().slice(0, 300) || 'no details');
  return `HTTP ${response.status}${code}: ${message}`;
}

/** The provider could not be reached on submit: the job was not taken, another engine may be tried. */
export function unreachableOnSubmit(label: string, error: UpstreamUnreachable): AppError {
  return new AppError('engine_unavailable', `${label} could not be reached: ${error.message}`, {
    retryable: true,
    cause: error,
  });
}

/** A submit the provider answered with an error. */
export function submitFailure(label: string, response: UpstreamResponse): AppError {
  if (isTransient(response)) {
    return new AppError('engine_unavailable', `${label} did not take the job (${describe(response)})`, {
      retryable: true,
    });
  }
  return answeredFailure(label, 'refused the request', response);
}

/**
 * A poll or download the provider answered with a permanent error (after acceptance): never a
 * failover. Transient answers are retried by the poll loop and do not come here.
 */
export function pollFailure(label: string, taskId: string, response: UpstreamResponse): AppError {
  return answeredFailure(label, `could not report task ${taskId}`, response);
}

function answeredFailure(label: string, what: string, response: UpstreamResponse): AppError {
  const error = providerErrorOf(response.body);
  if (response.status === 401 || response.status === 403) {
    return new AppError(
      'engine_failed',
      `${label} refused Reelgate's credentials (${describe(response)}); check the API key in the configuration`,
    );
  }
  if (response.status === 402) {
    return new AppError(
      'engine_failed',
      `${label} refused the job for lack of credit (${describe(response)})`,
    );
  }
  if (error.code !== undefined && contentPolicyCode.test(error.code)) {
    return new AppError(
      'content_policy_violation',
      `${label}'s content filter refused the job (${describe(response)})`,
    );
  }
  return new AppError('engine_failed', `${label} ${what} (${describe(response)})`);
}

/** The provider's task ended in failure: its code and message, mapped like an answered error. */
export function taskFailure(label: string, taskId: string, error: ProviderError | undefined): AppError {
  const code = error?.code;
  const detail = `${code === undefined ? '' : `${code}: `}${error?.message ?? 'no reason given'}`;
  if (code !== undefined && contentPolicyCode.test(code)) {
    return new AppError(
      'content_policy_violation',
      `${label}'s content filter refused task ${taskId} (${detail})`,
    );
  }
  return new AppError('engine_failed', `${label} task ${taskId} failed (${detail})`);
}

/** A provider answer whose shape is not the documented one. */
export function malformedAnswer(label: string, what: string, issues: string): AppError {
  return new AppError('engine_failed', `${label} answered ${what} in an unexpected shape: ${issues}`);
}

/** A 5xx or 429 answer while the task is being polled: worth asking again later. */
export class TransientAnswer extends Error {
  readonly response: UpstreamResponse;

  constructor(label: string, response: UpstreamResponse) {
    super(`${label} answered ${describe(response)}`);
    this.name = 'TransientAnswer';
    this.response = response;
  }
}

/**
 * The body of a successful answer to a poll or cancel; a transient answer throws TransientAnswer
 * (the poll loop asks again), any other error answer the mapped AppError.
 */
function answerBody(label: string, taskId: string, response: UpstreamResponse): unknown {
  if (response.status >= 200 && response.status < 300) return response.body;
  if (isTransient(response)) throw new TransientAnswer(label, response);
  throw pollFailure(label, taskId, response);
}

/**
 * One poll of a task: GETs `path` and parses the accepted answer with `schema`. A 5xx or 429 is a
 * {@link TransientAnswer}, another status the poll's failure, and a body of another shape
 * `engine_failed` naming `subject` (e.g. "run 42").
 */
export async function pollTask<Schema extends z.ZodType>(
  label: string,
  http: UpstreamHttp,
  poll: {
    readonly taskId: string;
    readonly subject: string;
    readonly path: string;
    readonly signal: AbortSignal;
  },
  schema: Schema,
): Promise<{ task: z.output<Schema>; response: UpstreamResponse }> {
  const response = await http.send({ method: 'GET', path: poll.path, signal: poll.signal });
  const parsed = schema.safeParse(answerBody(label, poll.taskId, response));
  if (!parsed.success) throw malformedAnswer(label, poll.subject, z.prettifyError(parsed.error));
  return { task: parsed.data, response };
}

/**
 * Sends a submit and returns the provider's answer when it accepted (2xx). Unreachable is
 * `engine_unavailable` (the route may fall over); any other status is the submit's failure.
 */
export async function sendSubmit(
  label: string,
  http: UpstreamHttp,
  request: UpstreamRequest,
): Promise<UpstreamResponse> {
  let response: UpstreamResponse;
  try {
    response = await http.send(request);
  } catch (error) {
    if (error instanceof UpstreamUnreachable) throw unreachableOnSubmit(label, error);
    throw error;
  }
  if (response.status < 200 || response.status > 299) throw submitFailure(label, response);
  return response;
}
