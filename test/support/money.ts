import { randomUUID } from 'node:crypto';
import type { App } from '../../src/app.js';
import { ARGON2_OPTIONS } from '../../src/domain/auth/password.js';
import { TransactionRepository } from '../../src/domain/transactions/transaction.repository.js';
import { User } from '../../src/domain/users/user.entity.js';

/**
 * Seeding through the services, not HTTP sign-ups (argon2 and the sign-up limit make many
 * of those slow): users with one shared password hash, wallets, and money credited as a
 * completed deposit from the sandbox settlement account.
 */
export async function seedUsers(app: App, count: number, prefix = 'user'): Promise<{ id: string; email: string; token: string }[]> {
  const em = app.orm.em.fork();
  const hash = await import('argon2').then((a) => a.default.hash('seeded-password', ARGON2_OPTIONS));
  const users = Array.from({ length: count }, (_, i) =>
    em.create(User, { email: `${prefix}${i}-${randomUUID().slice(0, 6)}@example.com`, passwordHash: hash, fullName: `${prefix} ${i}` }),
  );
  await em.flush();
  const out = [];
  for (const u of users) {
    // A session of its own, as logIn would make, without paying argon2 per user.
    const result = await app.services.auth.openSessionFor(em, u, { ip: '127.0.0.1' });
    out.push({ id: u.id, email: u.email, token: result.accessToken });
  }
  return out;
}

export async function createWallet(app: App, userId: string, currency = 'NGN'): Promise<string> {
  return (await app.services.wallets.create(app.orm.em.fork(), userId, currency)).id;
}

/** Credits a wallet as a completed sandbox deposit would: a ledger transfer plus its row. */
export async function fund(app: App, walletId: string, amount: bigint): Promise<void> {
  const em = app.orm.em.fork();
  // Tracked like every money movement, so cached balances and history pages are invalidated.
  await app.services.track(() => em.transactional(async (tx) => {
    const [wallet] = await app.services.ledger.findAccounts(tx, [walletId]);
    const settlement = await app.services.ledger.systemAccount(tx, 'SETTLEMENT', 'sandbox', wallet.currency);
    const reference = `seed_${randomUUID()}`;
    const { transferId } = await app.services.ledger.transfer(tx, {
      debitAccountId: settlement,
      creditAccountId: walletId,
      amount,
      currency: wallet.currency,
      code: 'DEPOSIT',
      reference,
    });
    await new TransactionRepository().insert(tx, [
      {
        userId: wallet.userId!,
        accountId: walletId,
        transferId,
        type: 'DEPOSIT',
        status: 'COMPLETED',
        direction: 'CREDIT',
        amount,
        currency: wallet.currency,
        reference,
      },
    ]);
  }));
}
