import { defineConfig } from 'drizzle-kit';

// Generates plain SQL migrations from src/server/db/schema.ts; they run on PostgreSQL 15 and PGlite alike.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/server/db/schema.ts',
  out: './db/migrations',
});
