/**
 * The Reelgate SDK (browser-safe: fetch, AbortSignal, ReadableStream and TextDecoder only).
 * Node helpers — downloads to a file, uploads from a path, webhook verification — are in
 * `reelgate/client/node` (`node.ts`).
 */
export { ReelgateClient, ModelsResource, AssetsResource, WebhooksResource } from './reelgate-client.ts';
export type { ReelgateClientOptions } from './reelgate-client.ts';
export { JobsResource, newIdempotencyKey } from './jobs-resource.ts';
export type {
  CallOptions,
  CreateJobParams,
  EventsOptions,
  ListJobsParams,
  WaitOptions,
} from './jobs-resource.ts';
export {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  ConnectionTimeoutError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ReelgateError,
  RequestAbortedError,
  WebhookVerificationError,
} from './reelgate-error.ts';
export type { ErrorIssue } from './reelgate-error.ts';
export { parseServerSentEvents } from './server-sent-events.ts';
export type { ServerSentEvent } from './server-sent-events.ts';
export { isTerminalStatus, jobStatuses, terminalJobStatuses } from './types.ts';
export type {
  AssetView,
  CallbackSecret,
  DeliveryRecord,
  JobOutput,
  JobPage,
  JobStatus,
  JobView,
  ModelInfo,
} from './types.ts';
