/**
 * Kysely's view of the SQLite tables (see `sqlite-migrations.ts` for the DDL). Column names are
 * the database's snake_case; the parsers in `../rows/` are the only places that turn rows into
 * domain objects. Times are Unix epoch milliseconds; JSON documents are TEXT.
 */
export interface SqliteDatabaseSchema {
  readonly jobs: JobsTable;
  readonly api_keys: ApiKeysTable;
  readonly idempotency_keys: IdempotencyKeysTable;
  readonly assets: AssetsTable;
  readonly webhook_secrets: WebhookSecretsTable;
  readonly webhook_endpoints: WebhookEndpointsTable;
  readonly webhook_deliveries: WebhookDeliveriesTable;
  readonly webhook_attempts: WebhookAttemptsTable;
}

export interface JobsTable {
  id: string;
  owner_key_id: string;
  dialect: string;
  model: string;
  status: string;
  request: string;
  input: string;
  callback_url: string | null;
  callback_events: string;
  attempt: number;
  max_attempts: number;
  progress: number;
  stage: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  available_at: number;
  deadline_at: number | null;
  checkpoint: string | null;
  result: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
  unit_price_usd: number | null;
  billable_seconds: number | null;
  running_limit: number | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  scope: string;
  max_queued_jobs: number | null;
  max_running_jobs: number | null;
  create_requests_per_minute: number | null;
  read_requests_per_minute: number | null;
  monthly_spend_usd: number | null;
}

export interface IdempotencyKeysTable {
  owner_key_id: string;
  key: string;
  request_hash: string;
  job_id: string;
  created_at: number;
}

export interface AssetsTable {
  id: string;
  owner_key_id: string;
  blob_key: string;
  kind: string;
  format: string;
  content_type: string;
  bytes: number;
  width: number | null;
  height: number | null;
  duration_seconds: number | null;
  facts: string;
  created_at: number;
}

export interface WebhookSecretsTable {
  id: string;
  key_id: string;
  secret: string;
  label: string | null;
  created_at: number;
  expires_at: number | null;
}

export interface WebhookEndpointsTable {
  key_id: string;
  url: string;
  disabled_at: number | null;
  disabled_reason: string | null;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  job_id: string;
  owner_key_id: string;
  url: string;
  format: string;
  source: string;
  status: string;
  automatic: number;
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  payload: string | null;
  failure_reason: string | null;
  failure_detail: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempt_number: number;
  status_code: number | null;
  response_body: string | null;
  response_time_ms: number;
  error_message: string | null;
  created_at: number;
}
