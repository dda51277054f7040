/**
 * Seeding through the services, not HTTP sign-ups (argon2 and the sign-up limit make many
 * of those slow): users with one shared password hash, wallets, and money credited through the
 * deposit service, as a settled deposit of the configured provider.
 */
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app.js';
import { ARGON2_OPTIONS } from '../../src/domain/auth/password.js';
import { PaymentRepository } from '../../src/domain/payments/payment.repository.js';
import { User } from '../../src/domain/users/user.entity.js';
import { pool } from './helpers.js';

/** Users with one shared password hash and no session, inserted in one flush. */
export async function insertUsers(app: App, count: number, prefix = 'user'): Promise<{ id: string; email: string }[]> {
  const em = app.orm.em.fork();
  const hash = await import('argon2').then((a) => a.default.hash('seeded-password', ARGON2_OPTIONS));
  const users = Array.from({ length: count }, (_, i) =>
    em.create(User, { email: `${prefix}${i}-${randomUUID().slice(0, 6)}@example.com`, passwordHash: hash, fullName: `${prefix} ${i}` }),
  );
  await em.flush();
  return users.map((u) => ({ id: u.id, email: u.email }));
}

/** Users as insertUsers makes them, each with a session of its own (as logIn would make, without argon2 per user). */
export async function seedUsers(app: App, count: number, prefix = 'user'): Promise<{ id: string; email: string; token: string }[]> {
  const users = await insertUsers(app, count, prefix);
  // A fork per session: one shared entity manager would grow with every session and slow each flush.
  return pool(users, 8, async (u) => {
    const em = app.orm.em.fork();
    const result = await app.services.auth.openSessionFor(em, em.getReference(User, u.id), { ip: '127.0.0.1' });
    return { ...u, token: result.accessToken };
  });
}

export async function createWallet(app: App, userId: string, currency = 'NGN'): Promise<string> {
  return (await app.services.wallets.create(app.orm.em.fork(), userId, currency)).id;
}

/**
 * Credits a wallet through the real deposit path: `DepositService.deposit` (the deposit
 * mutation's service: idempotency key, PENDING row, payment, audit, the configured provider's
 * checkout), then `DepositService.settle` as the provider's verified webhook applies it. Only
 * the webhook's transport and signature are skipped (test/payments covers them).
 */
export async function fund(app: App, walletId: string, amount: bigint): Promise<void> {
  await fundMany(app, [walletId], amount);
}

/** fund() for many wallets (a wallet named twice gets two deposits), eight at a time. */
export async function fundMany(app: App, walletIds: string[], amount: bigint): Promise<void> {
  const em = app.orm.em.fork();
  const wallets = new Map((await app.services.ledger.findAccounts(em, walletIds)).map((w) => [w.id, w]));
  const owners = await app.services.users.findByIds(em, [...new Set([...wallets.values()].map((w) => w.userId!))]);
  const emails = new Map(owners.map((u) => [u!.id, u!.email]));
  const payments = new PaymentRepository();
  await pool(walletIds, 8, async (walletId) => {
    const wallet = wallets.get(walletId);
    if (!wallet) throw new Error(`fundMany: no wallet ${walletId}`);
    const db = app.orm.em.fork();
    const actor = { userId: wallet.userId!, email: emails.get(wallet.userId!)! };
    // Tracked like every money movement, so cached balances and history pages are invalidated.
    await app.services.track(async () => {
      const { transaction } = await app.services.deposits.deposit(db, actor, { walletId, amount, idempotencyKey: `seed-${randomUUID()}` });
      const payment = (await payments.findByReference(db, transaction.reference))!;
      const outcome = await app.services.deposits.settle(db, payment, { status: 'SUCCEEDED', fee: 0n });
      if (outcome !== 'DEPOSIT_CREDITED') throw new Error(`fundMany: the deposit to ${walletId} ended ${outcome}`);
    });
  });
}
