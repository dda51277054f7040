import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InsufficientFundsError, type LedgerService } from '../ledger/ledger.service.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { TransactionRecord, TransactionRepository } from '../transactions/transaction.repository.js';
import { WalletException } from '../wallets/wallets.errors.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { CardAuthorizationRepository } from './card-authorization.repository.js';
import type { CardSettlementService } from './card-settlement.service.js';
import type { Card, Merchant } from './card.js';
import type { CardService } from './card.service.js';
import { CardError, CardException } from './cards.errors.js';
import { intervalStart } from './spending-interval.js';

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

/** Merchant texts come from outside (issuers, the sandbox's caller): kept to a sane length. */
const MAX_MERCHANT_TEXT = 200;

/**
 * Card purchases, first phase: an authorization is approved or declined, and an approved one
 * holds the money on the card account (PENDING) until the merchant captures or releases it
 * (CardSettlementService). Every decision is made with the card's account locked, so
 * concurrent authorizations can never overspend. The sandbox's simulateCardPurchase and real
 * issuers' webhooks take this same path.
 */
export class CardAuthorizationService {
  private readonly authorizations = new CardAuthorizationRepository();

  constructor(
    private readonly cards: CardService,
    private readonly settlements: CardSettlementService,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly monitoring: MonitoringService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * simulateCardPurchase: a merchant charges a sandbox card through the same authorization
   * and capture path a real issuer's webhooks take. Merchant "DECLINE" is an issuer-side
   * decline. Returns the purchase's row (approved: COMPLETED; declined: FAILED) and the card, as
   * they are once it committed.
   */
  async simulate(
    em: EntityManager,
    actor: { userId: string },
    input: {
      cardId: string;
      amount: bigint;
      merchantName: string;
      merchantCategory?: string | null;
      merchantCountry?: string | null;
      idempotencyKey?: string | null;
    },
  ): Promise<{ transaction: TransactionRecord; card: Card }> {
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
      if (result.approved) await this.settlements.capture(db, card.id, authorizationId);
      return result.transaction.id;
    };
    const request = input.idempotencyKey && {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'simulateCardPurchase',
      input: { cardId: card.id, amount: input.amount.toString(), merchant },
    };
    // With a key, the purchase runs inside the key's transaction: a repeat waits for it and replays it.
    const id = request ? await this.idempotency.run(em, request, (tx) => purchase(tx)) : await purchase(em);
    const [[transaction], after] = await Promise.all([this.transactions.findByIds(em, [id]), this.cards.getOwned(em, actor.userId, card.id)]);
    return { transaction, card: after };
  }

  async authorize(em: EntityManager, req: AuthorizationRequest): Promise<AuthorizationResult> {
    return em.transactional(async (tx) => {
      const existing = await this.authorizations.find(tx, req.cardId, req.issuerAuthorizationId);
      if (existing) {
        const [t] = await this.transactions.findByIds(tx, [existing.transaction_id]);
        return { approved: existing.status !== 'DECLINED', transaction: t, reason: t.failureReason ?? undefined };
      }
      const card = await this.cards.repo.lock(tx, req.cardId);
      if (!card) throw new Error(`authorization for unknown card ${req.cardId}`);
      const issuing = await this.ledger.systemAccount(tx, 'CARD_ISSUING', card.issuer, card.account.currency);
      await this.ledger.lockAccounts(tx, [card.id, issuing]);
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
      await this.authorizations.insert(tx, {
        cardId: card.id,
        issuerAuthorizationId: req.issuerAuthorizationId,
        declined: Boolean(declined),
        amount: req.amount,
        transferId,
        transactionId: t.id,
      });
      return { approved: !declined, transaction: t, reason: declined ?? undefined };
    });
  }

  /** Why an authorization must be declined, or undefined to approve it (balance aside). */
  private async declineReason(tx: EntityManager, card: Card, amount: bigint): Promise<string | undefined> {
    if (card.status === 'FROZEN') return 'The card is frozen';
    if (card.status === 'TERMINATED') return 'The card is terminated';
    const limit = card.spendingLimit;
    if (limit) {
      const since = intervalStart(limit.interval);
      const spent = since ? await this.authorizations.spentSince(tx, card.id, since) : 0n;
      if (spent + amount > limit.amount)
        return `The card's ${limit.interval.toLowerCase().replace('_', ' ')} spending limit would be passed`;
    }
    try {
      await this.monitoring.checkLimits(tx, card.userId, card.account.currency, amount);
    } catch (err) {
      if (err instanceof WalletException) return 'A transaction limit would be exceeded';
      throw err;
    }
    return undefined;
  }
}
