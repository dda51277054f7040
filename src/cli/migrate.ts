import 'reflect-metadata';
import { loadConfig } from '../config/config.js';
import { startEmbeddedPostgres } from '../db/embedded-postgres.js';
import { migrate, openOrm } from '../db/orm.js';

/** `npm run migrate`: applies pending migrations (the server also does this at start-up). */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = { info: (m: string) => console.log(m), warn: (m: string) => console.warn(m) };
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres(config.database.embeddedDir, config.database.embeddedPort, log);
  const url = config.database.url ?? embedded!.url;
  const orm = await openOrm(url, 2);
  try {
    const applied = await migrate(orm, url);
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the database is up to date');
  } finally {
    await orm.close(true);
    await embedded?.stop();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
