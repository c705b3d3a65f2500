/**
 * Kysely's view of the SQLite tables (see `sqlite-migrations.ts` for the DDL). Column names are
 * the database's snake_case; `job-row.ts`, `api-key-row.ts` and `asset-row.ts` are the only places
 * that turn rows into domain objects. Times are Unix epoch milliseconds; JSON documents are TEXT.
 */
export interface SqliteDatabaseSchema {
  readonly jobs: JobsTable;
  readonly api_keys: ApiKeysTable;
  readonly idempotency_keys: IdempotencyKeysTable;
  readonly assets: AssetsTable;
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
}

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
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
