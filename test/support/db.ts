import pg from 'pg';
import { ADMIN_DATABASE_URL, databaseUrl, runId, templateDatabase, workerId } from './env.js';

/** One statement on the admin database (create or drop a test's own database). */
export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let ready: Promise<string> | undefined;

/**
 * This worker's own database, cloned from the migrated template: made afresh for each test
 * file, so files never see each other's rows.
 */
export function workerDatabaseUrl(): Promise<string> {
  ready ??= (async () => {
    const name = `wallet_t_${runId()}_w${workerId()}`;
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`drop database if exists "${name}" with (force)`);
      // Two workers cloning at the same moment can briefly collide on the template.
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.query(`create database "${name}" template "${templateDatabase(runId())}"`);
          // Commits need not wait for the disk: no test crashes PostgreSQL, and every test
          // commits many times (each starts from emptied tables).
          await admin.query(`alter database "${name}" set synchronous_commit to off`);
          break;
        } catch (err) {
          if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    } finally {
      await admin.end();
    }
    return databaseUrl(name);
  })();
  return ready;
}

/** Reference data that migrations write and tests keep. */
const KEPT_TABLES = ['currencies', 'mikro_orm_migrations'];

/** Empties every table tests write to, whatever later migrations add. */
export async function truncateAll(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = 'public' and tablename <> all($1)`,
      [KEPT_TABLES],
    );
    if (rows.length === 0) return;
    // TRUNCATE locks its tables one by one, and a server's background job (the payments
    // recovery job) may be planning a statement over two of them at that moment: PostgreSQL
    // then ends one side as a deadlock. Truncating again is harmless, so it is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`truncate ${rows.map((r) => `"${r.tablename}"`).join(', ')} restart identity cascade`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '40P01' || attempt === 5) throw err;
      }
    }
  } finally {
    await client.end();
  }
}
