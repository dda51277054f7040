import { randomUUID } from 'node:crypto';
import { workerDatabaseUrl } from './db.js';
import { REDIS_URL, workerId } from './env.js';

/**
 * The settings of a built server started as a child process by a test: loopback on `port`,
 * this worker's database, the shared Redis under a key prefix of its own (named after `label`),
 * `dataDir` for its keys. Callers add what their test needs on top.
 */
export async function childServerEnv(label: string, port: number, dataDir: string): Promise<Record<string, string>> {
  return {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    DATABASE_URL: await workerDatabaseUrl(),
    REDIS_URL,
    REDIS_KEY_PREFIX: `test:w${workerId()}:${label}:${randomUUID().slice(0, 8)}:`,
  };
}
