import 'reflect-metadata';
import { loadConfig } from '../config/config.js';
import { migrate } from '../db/orm.js';
import { withCliDatabase } from './cli-database.js';

/** `npm run migrate`: applies pending migrations (the server also does this at start-up). */
async function main(): Promise<void> {
  const applied = await withCliDatabase(loadConfig(), (orm, url) => migrate(orm, url));
  console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the database is up to date');
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
