import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InsufficientFundsError, available, type LedgerService } from '../ledger/ledger.service.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { TransactionRecord, TransactionRepository } from '../transactions/transaction.repository.js';
import { WalletException } from '../wallets/wallets.errors.js';
import type { Card, SpendingInterval } from './card.repository.js';
import type { CardService } from './card.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { CardError, CardException } from './cards.errors.js';

export interface Merchant {
  name: string;
  category?: string | null;
  country?: string | null;
}

export interface AuthorizationRequest {
  cardId: string;
  /** The issuer's id for this authorization: repeats of it are the same authorization. */
  issuerAuthorizationId: string;
  amount: bigint;
  merchant: Merchant;
  /** The issuer already declined it (the sandbox's "DECLINE" merchant): record, do not hold. */
  issuerDeclineReason?: string;
}

export interface AuthorizationResult {
  approved: boolean;
  transaction: TransactionRecord;
  reason?: string;
}

interface AuthorizationRow {
  id: string;
  card_id: string;
  status: 'PENDING' | 'CLOSED' | 'REVERSED' | 'DECLINED';
  amount: string;
  transfer_id: string | null;
  transaction_id: string;
}

/** Merchant texts come from outside (issuers, the sandbox's caller): kept to a sane length. */
const MAX_MERCHANT_TEXT = 200;

/** Where a spending-limit interval starts (UTC): null for limits that look at one authorization. */
function intervalStart(interval: SpendingInterval, now = new Date()): Date | null {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  switch (interval) {
    case 'PER_AUTHORIZATION':
      return null;
    case 'DAILY':
      return new Date(day);
    case 'WEEKLY':
      return new Date(day - ((now.getUTCDay() + 6) % 7) * 86_400_000); // weeks start on Monday
    case 'MONTHLY':
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    case 'ALL_TIME':
      return new Date(0);
  }
}

/**
 * Card purchases, two-phase: an authorization holds money on the card account (PENDING), a
 * capture posts it (a smaller capture releases the rest), a reversal voids it, a refund
 * credits the card. Every decision is made with the card's account locked, so concurrent
 * authorizations can never overspend. The sandbox's simulateCardPurchase and real issuers'
 * webhooks take this same path.
 */
export class CardAuthorizationService {
  constructor(
    private readonly cards: CardService,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly monitoring: MonitoringService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * simulateCardPurchase: a merchant charges a sandbox card through the same authorization
   * and capture path a real issuer's webhooks take. Merchant "DECLINE" is an issuer-side
   * decline. Returns the purchase's transaction id (approved: COMPLETED; declined: FAILED).
   */
  async simulate(
    em: EntityManager,
    actor: { userId: string },
    input: { cardId: string; amount: bigint; merchantName: string; merchantCategory?: string | null; merchantCountry?: string | null; idempotencyKey?: string | null },
  ): Promise<string> {
    const card = await this.cards.getOwned(em, actor.userId, input.cardId);
    if (card.issuer !== 'sandbox') throw new CardException(CardError.NotSandboxCard);
    const merchant = {
      name: input.merchantName.trim().slice(0, MAX_MERCHANT_TEXT) || 'Sandbox merchant',
      category: input.merchantCategory?.slice(0, MAX_MERCHANT_TEXT),
      country: input.merchantCountry?.slice(0, MAX_MERCHANT_TEXT),
    };
    const purchase = async (db: EntityManager) => {
      const authorizationId = `sim-${randomUUID()}`;
      const result = await this.authorize(db, {
        cardId: card.id,
        issuerAuthorizationId: authorizationId,
        amount: input.amount,
        merchant,
        issuerDeclineReason: merchant.name.toUpperCase() === 'DECLINE' ? 'Declined by the issuer' : undefined,
      });
      if (result.approved) await this.capture(db, card.id, authorizationId);
      return result.transaction.id;
    };
    if (!input.idempotencyKey) return purchase(em);
    const request = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'simulateCardPurchase',
      input: { cardId: card.id, amount: input.amount.toString(), merchant },
    };
    // The purchase runs inside the key's transaction: a repeat waits for it and replays it.
    return this.idempotency.run(em, request, (tx) => purchase(tx));
  }

  async authorize(em: EntityManager, req: AuthorizationRequest): Promise<AuthorizationResult> {
    return em.transactional(async (tx) => {
      const existing = await this.find(tx, req.cardId, req.issuerAuthorizationId);
      if (existing) {
        const [t] = await this.transactions.findByIds(tx, [existing.transaction_id]);
        return { approved: existing.status !== 'DECLINED', transaction: t, reason: t.failureReason ?? undefined };
      }
      const card = await this.cards.repo.lock(tx, req.cardId);
      if (!card) throw new Error(`authorization for unknown card ${req.cardId}`);
      const issuing = await this.ledger.systemAccount(tx, 'CARD_ISSUING', card.issuer, card.account.currency);
      await tx.execute('select id from ledger_accounts where id in (?, ?) order by id for update', [card.id, issuing]);
      const reason = req.issuerDeclineReason ?? (await this.declineReason(tx, card, req.amount));
      const reference = `auth-${randomUUID().replace(/-/g, '')}`;
      let transferId: string | null = null;
      let declined = reason;
      if (!declined) {
        try {
          ({ transferId } = await this.ledger.transfer(tx, {
            debitAccountId: card.id,
            creditAccountId: issuing,
            amount: req.amount,
            currency: card.account.currency,
            code: 'CARD_PURCHASE',
            reference,
            pending: true,
          }));
        } catch (err) {
          if (!(err instanceof InsufficientFundsError)) throw err;
          declined = 'Insufficient funds on the card';
        }
      }
      const [t] = await this.transactions.insert(tx, [
        {
          userId: card.userId,
          accountId: card.id,
          transferId,
          type: 'CARD_PURCHASE',
          status: declined ? 'FAILED' : 'PENDING',
          direction: 'DEBIT',
          amount: req.amount,
          currency: card.account.currency,
          reference,
          description: req.merchant.name,
          merchant: { name: req.merchant.name, category: req.merchant.category ?? null, country: req.merchant.country ?? null },
          failureReason: declined ?? null,
        },
      ]);
      await tx.execute(
        `insert into card_authorizations (id, card_id, issuer_authorization_id, status, amount, transfer_id, transaction_id)
         values (?, ?, ?, ?, ?::bigint, ?, ?)`,
        [randomUUID(), card.id, req.issuerAuthorizationId, declined ? 'DECLINED' : 'PENDING', req.amount.toString(), transferId, t.id],
      );
      return { approved: !declined, transaction: t, reason: declined ?? undefined };
    });
  }

  /**
   * Posts what the merchant captured: all of the hold, or less (the rest is released). What
   * the issuer captures beyond any hold (above it, a second time, or with no authorization at
   * all) is forced: taken from the card, then from its wallet, and what is still short is
   * booked against the card-receivable account and flagged for an ADMIN.
   */
  async capture(
    em: EntityManager,
    cardId: string,
    issuerAuthorizationId: string | null,
    amount?: bigint,
    merchant?: Merchant,
  ): Promise<TransactionRecord | null> {
    return em.transactional(async (tx) => {
      const auth = issuerAuthorizationId ? await this.find(tx, cardId, issuerAuthorizationId, true) : undefined;
      const card = (await this.cards.repo.lock(tx, cardId))!;
      if (!auth || auth.status !== 'PENDING' || !auth.transfer_id) {
        if (amount === undefined || amount <= 0n) return null;
        return this.forceCapture(tx, card, amount, merchant ?? { name: 'Card purchase' }, auth?.transaction_id);
      }
      const held = BigInt(auth.amount);
      const captured = amount ?? held;
      const [t] = await this.transactions.findByIds(tx, [auth.transaction_id]);
      if (captured === held) {
        await this.ledger.resolvePending(tx, auth.transfer_id, 'POST');
      } else {
        // A posted transfer never changes: void the hold, then post what was captured.
        await this.ledger.resolvePending(tx, auth.transfer_id, 'VOID');
        const fromHold = captured < held ? captured : held;
        const issuing = await this.ledger.systemAccount(tx, 'CARD_ISSUING', card.issuer, card.account.currency);
        const posted = await this.ledger.transfer(tx, {
          debitAccountId: card.id,
          creditAccountId: issuing,
          amount: fromHold,
          currency: card.account.currency,
          code: 'CARD_PURCHASE',
          reference: t.reference,
        });
        if (captured > held) await this.coverShortfall(tx, card, captured - held, t.reference, t.id);
        // The row now stands for what was captured, on the transfer that posted it.
        await tx.execute('update transactions set amount = ?::bigint, transfer_id = ? where id = ?', [
          captured.toString(),
          posted.transferId,
          auth.transaction_id,
        ]);
      }
      await tx.execute(`update card_authorizations set status = 'CLOSED', captured = ?::bigint, updated_at = now() where id = ?`, [
        captured.toString(),
        auth.id,
      ]);
      const [row] = await this.transactions.setStatus(tx, { id: auth.transaction_id }, 'PENDING', 'COMPLETED');
      if (card.status === 'TERMINATED') await this.cards.sweepToWallet(tx, card);
      return row;
    });
  }

  /** A capture with nothing (or nothing left) held for it. */
  private async forceCapture(
    tx: EntityManager,
    card: Card,
    amount: bigint,
    merchant: Merchant,
    authorizationTransactionId?: string,
  ): Promise<TransactionRecord> {
    const reference = `cap-${randomUUID().replace(/-/g, '')}`;
    const [row] = await this.transactions.insert(tx, [
      {
        userId: card.userId,
        accountId: card.id,
        type: 'CARD_PURCHASE',
        status: 'COMPLETED',
        direction: 'DEBIT',
        amount,
        currency: card.account.currency,
        reference,
        // Some issuers (Flutterwave) decide every purchase themselves, so a capture with no
        // authorization of ours is ordinary there: the row reads like any other purchase.
        description: authorizationTransactionId ? `${merchant.name} (captured again)` : merchant.name,
        merchant: { name: merchant.name, category: merchant.category ?? null, country: merchant.country ?? null },
      },
    ]);
    await this.coverShortfall(tx, card, amount, reference, row.id);
    return row;
  }

  /** Takes `amount` from the card, then its wallet, then books the rest as a receivable. */
  private async coverShortfall(tx: EntityManager, card: Card, amount: bigint, reference: string, transactionId: string): Promise<void> {
    const currency = card.account.currency;
    const issuing = await this.ledger.systemAccount(tx, 'CARD_ISSUING', card.issuer, currency);
    const receivable = await this.ledger.systemAccount(tx, 'CARD_RECEIVABLE', card.issuer, currency);
    await tx.execute('select id from ledger_accounts where id in (?, ?, ?, ?) order by id for update', [card.id, card.walletId, issuing, receivable]);
    const [cardAccount] = await this.ledger.findAccounts(tx, [card.id]);
    const [wallet] = await this.ledger.findAccounts(tx, [card.walletId]);
    let left = amount;
    for (const source of [cardAccount, wallet]) {
      const take = left < available(source) ? left : available(source);
      if (take <= 0n) continue;
      await this.ledger.transfer(tx, { debitAccountId: source.id, creditAccountId: issuing, amount: take, currency, code: 'CARD_PURCHASE', reference });
      if (source.id === wallet.id) {
        await this.transactions.insert(tx, [
          {
            userId: card.userId,
            accountId: wallet.id,
            type: 'CARD_PURCHASE',
            status: 'COMPLETED',
            direction: 'DEBIT',
            amount: take,
            currency,
            reference,
            description: 'Card capture beyond the card balance, taken from the wallet',
          },
        ]);
      }
      left -= take;
    }
    if (left > 0n) {
      await this.ledger.transfer(tx, { debitAccountId: receivable, creditAccountId: issuing, amount: left, currency, code: 'CARD_PURCHASE', reference });
      await this.monitoring.flag(tx, transactionId, 'CARD_RECEIVABLE', { cardId: card.id, unpaid: left.toString() });
    }
  }

  /** The merchant let go of the authorization (or it expired): the hold is voided. */
  async reverse(em: EntityManager, cardId: string, issuerAuthorizationId: string): Promise<TransactionRecord | null> {
    return em.transactional(async (tx) => {
      const auth = await this.find(tx, cardId, issuerAuthorizationId, true);
      if (!auth || auth.status !== 'PENDING' || !auth.transfer_id) return null;
      const card = (await this.cards.repo.lock(tx, cardId))!;
      await this.ledger.resolvePending(tx, auth.transfer_id, 'VOID');
      await tx.execute(`update card_authorizations set status = 'REVERSED', updated_at = now() where id = ?`, [auth.id]);
      const [row] = await this.transactions.setStatus(tx, { id: auth.transaction_id }, 'PENDING', 'REVERSED', 'The merchant released the authorization');
      if (card.status === 'TERMINATED') await this.cards.sweepToWallet(tx, card);
      return row;
    });
  }

  /** A merchant's refund credits the card (CARD_REFUND), whatever the card's status. */
  async refund(em: EntityManager, cardId: string, amount: bigint, merchant: Merchant): Promise<TransactionRecord> {
    return em.transactional(async (tx) => {
      const card = (await this.cards.repo.lock(tx, cardId))!;
      const issuing = await this.ledger.systemAccount(tx, 'CARD_ISSUING', card.issuer, card.account.currency);
      await tx.execute('select id from ledger_accounts where id in (?, ?) order by id for update', [card.id, issuing]);
      const reference = `rfd-${randomUUID().replace(/-/g, '')}`;
      const { transferId } = await this.ledger.transfer(tx, {
        debitAccountId: issuing,
        creditAccountId: card.id,
        amount,
        currency: card.account.currency,
        code: 'CARD_REFUND',
        reference,
      });
      const [row] = await this.transactions.insert(tx, [
        {
          userId: card.userId,
          accountId: card.id,
          transferId,
          type: 'CARD_REFUND',
          status: 'COMPLETED',
          direction: 'CREDIT',
          amount,
          currency: card.account.currency,
          reference,
          description: `Refund from ${merchant.name}`,
          merchant: { name: merchant.name, category: merchant.category ?? null, country: merchant.country ?? null },
        },
      ]);
      if (card.status === 'TERMINATED') await this.cards.sweepToWallet(tx, card);
      return row;
    });
  }

  /** Why an authorization must be declined, or undefined to approve it (balance aside). */
  private async declineReason(tx: EntityManager, card: Card, amount: bigint): Promise<string | undefined> {
    if (card.status === 'FROZEN') return 'The card is frozen';
    if (card.status === 'TERMINATED') return 'The card is terminated';
    const limit = card.spendingLimit;
    if (limit) {
      const since = intervalStart(limit.interval);
      let spent = 0n;
      if (since) {
        const [row] = await tx.execute<{ spent: string }[]>(
          `select coalesce(sum(amount), 0) as spent from transactions
           where account_id = ? and type = 'CARD_PURCHASE' and status in ('PENDING', 'COMPLETED') and created_at >= ?`,
          [card.id, since],
        );
        spent = BigInt(row.spent);
      }
      if (spent + amount > limit.amount) return `The card's ${limit.interval.toLowerCase().replace('_', ' ')} spending limit would be passed`;
    }
    try {
      await this.monitoring.checkLimits(tx, card.userId, card.account.currency, amount);
    } catch (err) {
      if (err instanceof WalletException) return 'A transaction limit would be exceeded';
      throw err;
    }
    return undefined;
  }

  private async find(tx: EntityManager, cardId: string, issuerAuthorizationId: string, lock = false): Promise<AuthorizationRow | undefined> {
    const [row] = await tx.execute<AuthorizationRow[]>(
      `select id, card_id, status, amount, transfer_id, transaction_id from card_authorizations
       where card_id = ? and issuer_authorization_id = ?${lock ? ' for update' : ''}`,
      [cardId, issuerAuthorizationId],
    );
    return row;
  }
}
