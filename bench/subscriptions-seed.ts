/**
 * Seeds the subscribers of B8 and B10, in-process through the server's own services (as
 * bench/seed.ts does): BENCH_SUB_USERS users (default 2,000) sharing one argon2 hash, each
 * with a session of its own (AuthService.openSessionFor, as logIn would open it), an NGN
 * wallet (WalletService.create) and money credited as completed sandbox deposits (the ledger
 * transfer plus its transactions row, as test/support/money.ts `fund` does), so that every
 * one of them can send. Writes the users to BENCH_SUB_OUT and prints one JSON line
 * (SUBSEED ...) with the timings.
 *
 * Not test/support/money.ts `seedUsers`/`fund` as they are: `seedUsers` opens every session
 * in turn on one EntityManager that keeps all earlier ones managed (each flush walks them
 * all: about 30 ms a user at 200, minutes at 2,000), and every `fund` is a transaction of
 * its own that locks the one sandbox settlement account (so they queue). Here sessions are
 * opened on a fresh fork each, 8 at a time, and deposits go 100 to a transaction.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import argon2 from 'argon2';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { ARGON2_OPTIONS } from '../src/domain/auth/password.js';
import { TransactionRepository, type NewTransaction } from '../src/domain/transactions/transaction.repository.js';
import { User } from '../src/domain/users/user.entity.js';
import { pool } from '../test/support/helpers.js';

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

  const em = app.orm.em.fork();
  const hash = await argon2.hash('seeded-password', ARGON2_OPTIONS);
  const tag = randomUUID().slice(0, 6);
  const created = Array.from({ length: USERS }, (_, i) =>
    em.create(User, { email: `sub${i}-${tag}@example.com`, passwordHash: hash, fullName: `Subscriber ${i}` }),
  );
  await em.flush();
  const users = created.map((u) => ({ id: u.id, email: u.email }));
  const tokens = await pool(users, 8, async (u) => {
    const fork = app.orm.em.fork();
    const result = await app.services.auth.openSessionFor(fork, fork.getReference(User, u.id), { ip: '127.0.0.1' });
    return result.accessToken;
  });
  const sessionsMs = step(`${USERS} users with a session each`, t0);

  const t1 = Date.now();
  const wallets = await pool(users, 16, async (u) => (await app.services.wallets.create(app.orm.em.fork(), u.id, CURRENCY)).id);
  const walletsMs = step(`${USERS} wallets`, t1);

  const t2 = Date.now();
  const repo = new TransactionRepository();
  for (let i = 0; i < wallets.length; i += 100) {
    const batch = wallets.slice(i, i + 100);
    const batchUsers = users.slice(i, i + 100);
    // Tracked like every money movement (cached balances and history pages are invalidated).
    await app.services.track(() =>
      app.orm.em.fork().transactional(async (tx) => {
        const settlement = await app.services.ledger.systemAccount(tx, 'SETTLEMENT', 'sandbox', CURRENCY);
        const rows: NewTransaction[] = [];
        for (const [j, walletId] of batch.entries()) {
          const reference = `seed_${randomUUID()}`;
          const { transferId } = await app.services.ledger.transfer(tx, {
            debitAccountId: settlement,
            creditAccountId: walletId,
            amount: FUNDED,
            currency: CURRENCY,
            code: 'DEPOSIT',
            reference,
          });
          rows.push({
            userId: batchUsers[j].id,
            accountId: walletId,
            transferId,
            type: 'DEPOSIT',
            status: 'COMPLETED',
            direction: 'CREDIT',
            amount: FUNDED,
            currency: CURRENCY,
            reference,
          });
        }
        await repo.insert(tx, rows);
      }),
    );
  }
  const fundMs = step(`${USERS} deposits`, t2);

  const seed: SubscriberSeed = {
    seedMs: Date.now() - t0,
    sessionsMs,
    walletsMs,
    fundMs,
    funded: FUNDED.toString(),
    users: users.map((u, i) => ({ id: u.id, email: u.email, token: tokens[i], walletId: wallets[i] })),
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
