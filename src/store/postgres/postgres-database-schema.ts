import type { SqliteDatabaseSchema } from '../sqlite/sqlite-database-schema.ts';

/**
 * Kysely's view of the PostgreSQL tables (DDL in `postgres-migrations.ts`). They have the same
 * names, columns and meanings as the SQLite tables, and the pool reads BIGINT as a JavaScript
 * number (epoch milliseconds stay far below 2^53), so the row types are the same ones.
 */
export type PostgresDatabaseSchema = SqliteDatabaseSchema;
