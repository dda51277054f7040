import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/config.js';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { openOrm } from '../db/orm.js';

/**
 * Runs `work` against the configured database: DATABASE_URL, or the embedded PostgreSQL the
 * server itself would use (started for the command and stopped after it).
 */
export async function withCliDatabase<T>(config: Config, work: (orm: MikroORM, url: string) => Promise<T>): Promise<T> {
  // Progress goes to stderr: stdout carries only the command's answer.
  const log = { info: (m: string) => console.error(m), warn: (m: string) => console.warn(m) };
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres(config.database.embeddedDir, config.database.embeddedPort, log, {
        dirChosen: config.database.embeddedDirChosen,
      });
  const url = config.database.url ?? embedded!.url;
  // DATABASE_SSL_CA is for the PostgreSQL of DATABASE_URL, not the local embedded one.
  const orm = await openOrm(url, 2, config.database.url ? config.database.sslCa : undefined);
  try {
    return await work(orm, url);
  } finally {
    await orm.close(true);
    await embedded?.stop();
  }
}
