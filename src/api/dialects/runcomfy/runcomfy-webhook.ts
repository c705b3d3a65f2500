import type { FieldIssue } from '../../../domain/app-error.ts';
import { AppError } from '../../../domain/app-error.ts';
import type { CallbackEvents } from '../../../domain/webhook.ts';
import { callbackUrlIssue } from '../../request-extras.ts';

/** The webhook a RunComfy submit asked for, and the body left for the model's input schema. */
export interface RunComfyWebhook {
  readonly callbackUrl: string | null;
  readonly callbackEvents: CallbackEvents;
  /** The request body without the legacy webhook keys. */
  readonly input: unknown;
}

const webhookKeys = ['webhook', 'webhook_intermediate_status'] as const;

/**
 * RunComfy's webhook parameters (its serverless API; shared/reference/dialects.md §1.6):
 * `?webhook=<url>&webhook_intermediate_status=true`, or the same keys in the body (legacy). The
 * query wins when both are given. Intermediate statuses (`in_queue`, `in_progress`) are sent only
 * when asked for; the final status always is.
 */
export function runComfyWebhookOf(query: unknown, body: unknown): RunComfyWebhook {
  const fromQuery = isRecord(query) ? query : {};
  const fromBody = isRecord(body) ? body : {};
  const issues: FieldIssue[] = [];
  const url = pick('webhook', fromQuery, fromBody);
  const intermediate = pick('webhook_intermediate_status', fromQuery, fromBody);
  let callbackUrl: string | null = null;
  if (url !== undefined && url !== null && url !== '') {
    if (typeof url !== 'string') {
      issues.push({ field: 'webhook', rule: 'type', message: 'webhook must be a URL string' });
    } else {
      const issue = callbackUrlIssue(url, 'webhook');
      if (issue === undefined) callbackUrl = url;
      else issues.push(issue);
    }
  }
  let callbackEvents: CallbackEvents = 'terminal';
  if (intermediate !== undefined && intermediate !== null) {
    if (intermediate === true || intermediate === 'true') callbackEvents = 'changes';
    else if (intermediate !== false && intermediate !== 'false') {
      issues.push({
        field: 'webhook_intermediate_status',
        rule: 'type',
        message: 'webhook_intermediate_status must be true or false',
      });
    }
  }
  if (issues.length > 0) throw AppError.validation(issues);
  let input = body;
  if (isRecord(body) && webhookKeys.some((key) => key in body)) {
    input = Object.fromEntries(
      Object.entries(body).filter(([key]) => !(webhookKeys as readonly string[]).includes(key)),
    );
  }
  return { callbackUrl, callbackEvents, input };
}

function pick(key: string, query: Record<string, unknown>, body: Record<string, unknown>): unknown {
  return query[key] !== undefined ? query[key] : body[key];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
