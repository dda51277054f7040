/**
 * Seeds the subscribers of B8 and B10, in-process through the server's own services (as
 * bench/seed.ts does, with test/support/money.ts): BENCH_SUB_USERS users (default 2,000)
 * sharing one argon2 hash, each with a session of its own (as logIn would open it), an NGN
 * wallet (WalletService.create) and money credited as completed sandbox deposits, 100 to a
 * transaction, so that every one of them can send. Writes the users to BENCH_SUB_OUT and
 * prints one JSON line (SUBSEED ...) with the timings.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { pool } from '../test/support/helpers.js';
import { createWallet, fundMany, seedUsers } from '../test/support/money.js';

export interface SubscriberUser {
  id: string;
  email: string;
  token: string;
  walletId: string;
}

export interface SubscriberSeed {
  seedMs: number;
  sessionsMs: number;
  walletsMs: number;
  fundMs: number;
  /** Minor units every wallet was funded with (its balance, version 1, before the run). */
  funded: string;
  users: SubscriberUser[];
}

const USERS = Number(process.env.BENCH_SUB_USERS ?? 2000);
const OUT = process.env.BENCH_SUB_OUT;
const FUNDED = 100_000_000n;
const CURRENCY = 'NGN';

async function main(): Promise<void> {
  if (!OUT) throw new Error('BENCH_SUB_OUT (where to write the users) is required');
  const app = await createApp(loadConfig(), {});
  await app.migrated;
  const step = (what: string, since: number) => {
    const ms = Date.now() - since;
    process.stderr.write(`[bench:subscriptions-seed] ${what} in ${ms} ms\n`);
    return ms;
  };
  const t0 = Date.now();

  const users = await seedUsers(app, USERS, 'sub');
  const sessionsMs = step(`${USERS} users with a session each`, t0);

  const t1 = Date.now();
  const wallets = await pool(users, 16, (u) => createWallet(app, u.id, CURRENCY));
  const walletsMs = step(`${USERS} wallets`, t1);

  const t2 = Date.now();
  for (let i = 0; i < wallets.length; i += 100) await fundMany(app, wallets.slice(i, i + 100), FUNDED);
  const fundMs = step(`${USERS} deposits`, t2);

  const seed: SubscriberSeed = {
    seedMs: Date.now() - t0,
    sessionsMs,
    walletsMs,
    fundMs,
    funded: FUNDED.toString(),
    users: users.map((u, i) => ({ ...u, walletId: wallets[i] })),
  };
  writeFileSync(OUT, JSON.stringify(seed));
  await app.close();
  const { users: _, ...timings } = seed;
  process.stdout.write(`SUBSEED ${JSON.stringify({ ...timings, users: seed.users.length })}\n`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
