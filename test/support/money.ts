/**
 * Seeding through the services, not HTTP sign-ups (argon2 and the sign-up limit make many
 * of those slow): users with one shared password hash, wallets, and money credited as a
 * completed deposit from the sandbox settlement account.
 */
import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app.js';
import { ARGON2_OPTIONS } from '../../src/domain/auth/password.js';
import { TransactionRepository, type NewTransaction } from '../../src/domain/transactions/transaction.repository.js';
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

/** Credits a wallet as a completed sandbox deposit would: a ledger transfer plus its row. */
export async function fund(app: App, walletId: string, amount: bigint): Promise<void> {
  await fundMany(app, [walletId], amount);
}

/** fund() for many wallets in one database transaction (one deposit each). */
export async function fundMany(app: App, walletIds: string[], amount: bigint): Promise<void> {
  const em = app.orm.em.fork();
  // Tracked like every money movement, so cached balances and history pages are invalidated.
  await app.services.track(() => em.transactional(async (tx) => {
    const wallets = new Map((await app.services.ledger.findAccounts(tx, walletIds)).map((w) => [w.id, w]));
    const rows: NewTransaction[] = [];
    const settlements = new Map<string, string>();
    for (const walletId of walletIds) {
      const wallet = wallets.get(walletId);
      if (!wallet) throw new Error(`fundMany: no wallet ${walletId}`);
      const settlement = settlements.get(wallet.currency) ?? (await app.services.ledger.systemAccount(tx, 'SETTLEMENT', 'sandbox', wallet.currency));
      settlements.set(wallet.currency, settlement);
      const reference = `seed_${randomUUID()}`;
      const { transferId } = await app.services.ledger.transfer(tx, {
        debitAccountId: settlement,
        creditAccountId: walletId,
        amount,
        currency: wallet.currency,
        code: 'DEPOSIT',
        reference,
      });
      rows.push({
        userId: wallet.userId!,
        accountId: walletId,
        transferId,
        type: 'DEPOSIT',
        status: 'COMPLETED',
        direction: 'CREDIT',
        amount,
        currency: wallet.currency,
        reference,
      });
    }
    await new TransactionRepository().insert(tx, rows);
  }));
}
