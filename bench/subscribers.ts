/**
 * The subscriber side of B8 and B10, in its own process (never in the server's): opens one
 * graphql-ws connection per seeded user against a server and prints one JSON line
 * (SUBS ...) with what it measured. Reads its job as JSON from argv[2], the users
 * (bench/subscriptions-seed.ts output) from the file the job names. Mode "b8":
 * subscribers-delivery.ts; mode "b10": subscribers-memory.ts.
 */
import { job, redis } from './subscribers-clients.js';
import { b8 } from './subscribers-delivery.js';
import { b10 } from './subscribers-memory.js';

export type { SubscribersJob } from './subscribers-clients.js';

const result = job.mode === 'b8' ? await b8() : await b10();
await redis.quit();
process.stdout.write(`SUBS ${JSON.stringify(result)}\n`);
process.exit(0);
