import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CardIssuer } from '../../providers/card-issuer.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { InsufficientFundsError, available, type LedgerAccount, type LedgerService } from '../ledger/ledger.service.js';
import type { TransactionRecord, TransactionRepository, TransactionType } from '../transactions/transaction.repository.js';
import type { Actor } from '../wallets/transfer.service.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import { getOwnedCard } from './card-ownership.js';
import type { CardRepository } from './card.repository.js';
import type { Card } from './card.js';
import { CardError, CardException } from './cards.errors.js';

/** A load or unload as its request leaves them: the card's row, the card and its wallet. */
export interface CardLoaded {
  transaction: TransactionRecord;
  card: Card;
  wallet: LedgerAccount;
}

/**
 * Money between a card and its wallet: a load (CARD_FUNDING), an unload (CARD_WITHDRAWAL), and
 * the sweep of a terminated card's balance back to its wallet. Each is one ledger transfer with
 * a row for the wallet and one for the card. Issuers that keep the card balance themselves
 * (Flutterwave) are told first, outside any database transaction, and told again the other way
 * when our ledger does not follow.
 */
export class CardFundingService {
  constructor(
    private readonly issuer: CardIssuer,
    private readonly cards: CardRepository,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Wallet to card (CARD_FUNDING) or card to wallet (CARD_WITHDRAWAL); returns the card's row,
   * the card and its wallet as they are once it committed (a repeat: as they are now).
   */
  async load(
    em: EntityManager,
    actor: Actor,
    direction: 'CARD_FUNDING' | 'CARD_WITHDRAWAL',
    input: { cardId: string; amount: bigint; idempotencyKey: string },
  ): Promise<CardLoaded> {
    const request = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: direction === 'CARD_FUNDING' ? 'fundCard' : 'withdrawFromCard',
      input: { cardId: input.cardId, amount: input.amount.toString() },
    };
    // Issuers that keep the card balance (Flutterwave) are told first, outside any database
    // transaction: funding moves money onto their card, a withdrawal takes it off, and only
    // then does our ledger follow. If the issuer fails, nothing moved (PROVIDER_UNAVAILABLE).
    let told: { issuerCardId: string; currency: string } | null = null;
    if (this.keepsBalance() && !(await this.idempotency.seen(em, request))) {
      const card = await getOwnedCard(this.cards, em, actor.userId, input.cardId);
      // Money comes off a frozen card too; a terminated one holds nothing (every credit to it is
      // swept back to its wallet), so the balance check stops its withdrawals.
      const ready = direction === 'CARD_WITHDRAWAL' || card.status === 'ACTIVE';
      const [source] = await this.ledger.findAccounts(em, [direction === 'CARD_FUNDING' ? card.walletId : card.id]);
      // Short or not usable: the ledger step below gives the business answer, the issuer is not asked.
      if (ready && source && available(source) >= input.amount) {
        await this.tellIssuer(direction, card.issuerCardId, input.amount, card.account.currency);
        told = { issuerCardId: card.issuerCardId, currency: card.account.currency };
      }
    }
    let moved = false;
    const transactionId = await this.runThenUndo(
      () => told !== null,
      () => moved,
      () => this.undoIssuer(em, actor, direction, told!.issuerCardId, input.amount, told!.currency, input.cardId),
      () =>
        this.idempotency.run(em, request, async (tx) => {
          // The card row locked, as terminate locks it: a termination that commits meanwhile is
          // seen here, and its sweep is never followed by money moving onto the terminated card.
          const card = (await this.cards.lock(tx, (await getOwnedCard(this.cards, tx, actor.userId, input.cardId)).id))!;
          if (card.status === 'TERMINATED') throw new CardException(CardError.CardTerminated);
          if (direction === 'CARD_FUNDING' && card.status !== 'ACTIVE') throw new CardException(CardError.CardNotActive);
          if (this.keepsBalance() && !told) throw new WalletException(WalletError.InsufficientFunds);
          const id = await this.move(
            tx,
            actor.userId,
            { walletId: card.walletId, cardId: card.id, currency: card.account.currency },
            input.amount,
            direction,
          );
          await this.audit.record(tx, {
            userId: actor.userId,
            action: request.operation,
            outcome: 'COMPLETED',
            requestId: actor.requestId,
            ip: actor.ip,
            details: { cardId: card.id, amount: input.amount },
          });
          moved = true;
          return id;
        }),
    );
    const card = await getOwnedCard(this.cards, em, actor.userId, input.cardId);
    const [[transaction], [wallet]] = await Promise.all([
      this.transactions.findByIds(em, [transactionId]),
      this.ledger.findAccounts(em, [card.walletId]),
    ]);
    return { transaction, card, wallet };
  }

  /** True for issuers that keep the card balance themselves (Flutterwave). */
  keepsBalance(): boolean {
    return Boolean(this.issuer.fund && this.issuer.withdraw);
  }

  async tellIssuer(direction: 'CARD_FUNDING' | 'CARD_WITHDRAWAL', issuerCardId: string, amount: bigint, currency: string): Promise<void> {
    try {
      if (direction === 'CARD_FUNDING') await this.issuer.fund!(issuerCardId, amount, currency);
      else await this.issuer.withdraw!(issuerCardId, amount, currency);
    } catch (err) {
      throw new CardException(CardError.IssuerUnavailable, undefined, { cause: err });
    }
  }

  /**
   * Runs the ledger step; when the issuer was told but our ledger did not move for this call
   * (a business refusal, a concurrent repeat of the same key that replayed the first one's
   * result, a database failure), the issuer call is undone so its balance and ours agree again.
   * Residual risk: a crash between the issuer call and the commit, or an undo the issuer
   * refuses, leaves the issuer's card balance off ours by that amount; the undo failure is
   * written to the audit log (card:issuer-mismatch) for an ADMIN to reconcile from the
   * issuer's card transactions.
   */
  async runThenUndo<T>(told: () => boolean, ran: () => boolean, undo: () => Promise<void>, body: () => Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await body();
    } catch (err) {
      // Nothing was committed (a recorded business refusal is thrown after its commit, but its
      // writes were undone by their savepoint).
      if (told()) await undo();
      throw err;
    }
    // Returned without our body running: a replay of the first request's result.
    if (told() && !ran()) await undo();
    return value;
  }

  async undoIssuer(
    em: EntityManager,
    actor: Actor,
    direction: 'CARD_FUNDING' | 'CARD_WITHDRAWAL',
    issuerCardId: string,
    amount: bigint,
    currency: string,
    cardId: string,
  ): Promise<void> {
    try {
      await this.tellIssuer(direction === 'CARD_FUNDING' ? 'CARD_WITHDRAWAL' : 'CARD_FUNDING', issuerCardId, amount, currency);
    } catch (err) {
      await this.audit
        .record(em.fork(), {
          userId: actor.userId,
          action: 'card:issuer-mismatch',
          outcome: 'FAILED',
          requestId: actor.requestId,
          ip: actor.ip,
          details: {
            cardId,
            issuer: this.issuer.name,
            direction,
            amount,
            note: 'issuer was told, ledger did not move, undo failed',
            cause: String((err as CardException).cause),
          },
        })
        .catch(() => undefined);
    }
  }

  /**
   * A terminated card's available balance goes back to its wallet at once; holds still pending
   * come back through here again when they are voided.
   */
  async sweepToWallet(tx: EntityManager, card: Card): Promise<void> {
    const [account] = await this.ledger.findAccounts(tx, [card.id]);
    const amount = available(account);
    if (amount > 0n) {
      await this.move(tx, card.userId, { walletId: card.walletId, cardId: card.id, currency: account.currency }, amount, 'CARD_WITHDRAWAL');
    }
  }

  /** One ledger transfer between a card and its wallet, with a row for each side; returns the card's row. */
  async move(
    tx: EntityManager,
    userId: string,
    accounts: { walletId: string; cardId: string; currency: string },
    amount: bigint,
    type: Extract<TransactionType, 'CARD_FUNDING' | 'CARD_WITHDRAWAL'>,
  ): Promise<string> {
    const funding = type === 'CARD_FUNDING';
    const [debit, credit] = funding ? [accounts.walletId, accounts.cardId] : [accounts.cardId, accounts.walletId];
    // post_movement locks the two accounts itself, in id order.
    const reference = `${funding ? 'cfd' : 'cwd'}-${randomUUID().replace(/-/g, '')}`;
    let transferId: string;
    try {
      ({ transferId } = await this.ledger.transfer(tx, {
        debitAccountId: debit,
        creditAccountId: credit,
        amount,
        currency: accounts.currency,
        code: type,
        reference,
      }));
    } catch (err) {
      if (err instanceof InsufficientFundsError) throw new WalletException(WalletError.InsufficientFunds);
      throw err;
    }
    const rows = await this.transactions.insert(tx, [
      {
        userId,
        accountId: debit,
        transferId,
        type,
        status: 'COMPLETED',
        direction: 'DEBIT',
        amount,
        currency: accounts.currency,
        reference,
      },
      {
        userId,
        accountId: credit,
        transferId,
        type,
        status: 'COMPLETED',
        direction: 'CREDIT',
        amount,
        currency: accounts.currency,
        reference,
      },
    ]);
    return rows.find((r) => r.accountId === accounts.cardId)!.id;
  }
}
