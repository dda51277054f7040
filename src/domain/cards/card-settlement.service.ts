import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { available, type LedgerService } from '../ledger/ledger.service.js';
import type { MonitoringService } from '../monitoring/monitoring.service.js';
import type { TransactionRecord, TransactionRepository } from '../transactions/transaction.repository.js';
import { CardAuthorizationRepository } from './card-authorization.repository.js';
import type { Card, Merchant } from './card.js';
import type { CardFundingService } from './card-funding.service.js';
import type { CardRepository } from './card.repository.js';

/**
 * Card purchases, second phase: a capture posts the hold (a smaller capture releases the rest,
 * a larger one or one with no hold is forced), a reversal voids it, a refund credits the card.
 * A terminated card's money goes back to its wallet as each hold ends.
 */
export class CardSettlementService {
  private readonly authorizations = new CardAuthorizationRepository();

  constructor(
    private readonly cards: CardRepository,
    private readonly funding: CardFundingService,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly monitoring: MonitoringService,
  ) {}

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
      const auth = issuerAuthorizationId ? await this.authorizations.find(tx, cardId, issuerAuthorizationId, true) : undefined;
      const card = (await this.cards.lock(tx, cardId))!;
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
        await this.transactions.attachTransfer(tx, auth.transaction_id, {
          transferId: posted.transferId,
          amount: captured,
          from: 'PENDING',
        });
      }
      await this.authorizations.close(tx, auth.id, captured);
      const [row] = await this.transactions.setStatus(tx, { id: auth.transaction_id }, 'PENDING', 'COMPLETED');
      if (card.status === 'TERMINATED') await this.funding.sweepToWallet(tx, card);
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
    await this.ledger.lockAccounts(tx, [card.id, card.walletId, issuing, receivable]);
    const [cardAccount] = await this.ledger.findAccounts(tx, [card.id]);
    const [wallet] = await this.ledger.findAccounts(tx, [card.walletId]);
    let left = amount;
    for (const source of [cardAccount, wallet]) {
      const take = left < available(source) ? left : available(source);
      if (take <= 0n) continue;
      await this.ledger.transfer(tx, {
        debitAccountId: source.id,
        creditAccountId: issuing,
        amount: take,
        currency,
        code: 'CARD_PURCHASE',
        reference,
      });
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
      await this.ledger.transfer(tx, {
        debitAccountId: receivable,
        creditAccountId: issuing,
        amount: left,
        currency,
        code: 'CARD_PURCHASE',
        reference,
      });
      await this.monitoring.flag(tx, transactionId, 'CARD_RECEIVABLE', { cardId: card.id, unpaid: left.toString() });
    }
  }

  /** The merchant let go of the authorization (or it expired): the hold is voided. */
  async reverse(em: EntityManager, cardId: string, issuerAuthorizationId: string): Promise<TransactionRecord | null> {
    return em.transactional(async (tx) => {
      const auth = await this.authorizations.find(tx, cardId, issuerAuthorizationId, true);
      if (!auth || auth.status !== 'PENDING' || !auth.transfer_id) return null;
      const card = (await this.cards.lock(tx, cardId))!;
      await this.ledger.resolvePending(tx, auth.transfer_id, 'VOID');
      await this.authorizations.markReversed(tx, auth.id);
      const [row] = await this.transactions.setStatus(
        tx,
        { id: auth.transaction_id },
        'PENDING',
        'REVERSED',
        'The merchant released the authorization',
      );
      if (card.status === 'TERMINATED') await this.funding.sweepToWallet(tx, card);
      return row;
    });
  }

  /** A merchant's refund credits the card (CARD_REFUND), whatever the card's status. */
  async refund(em: EntityManager, cardId: string, amount: bigint, merchant: Merchant): Promise<TransactionRecord> {
    return em.transactional(async (tx) => {
      const card = (await this.cards.lock(tx, cardId))!;
      const issuing = await this.ledger.systemAccount(tx, 'CARD_ISSUING', card.issuer, card.account.currency);
      // One movement, so post_movement's own lock of the two accounts (in id order) is all it needs.
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
      if (card.status === 'TERMINATED') await this.funding.sweepToWallet(tx, card);
      return row;
    });
  }
}
