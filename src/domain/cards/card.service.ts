import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RevealUnsupportedError, type CardIssuer, type CardReveal, type IssueCardInput, type IssuedCard } from '../../providers/card-issuer.js';
import { ProviderError } from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { InsufficientFundsError, available, type LedgerService } from '../ledger/ledger.service.js';
import { noteAccountState } from '../ledger/ledger-changes.js';
import type { TransactionRepository, TransactionType } from '../transactions/transaction.repository.js';
import type { UserService } from '../users/user.service.js';
import { isUuid, type WalletService } from '../wallets/wallet.service.js';
import type { Actor } from '../wallets/transfer.service.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import { IdempotencyError, IdempotencyException } from '../idempotency/idempotency.errors.js';
import { CardRepository, type Card, type SpendingInterval } from './card.repository.js';
import { CardError, CardException } from './cards.errors.js';

export interface CreateCardInput {
  walletId: string;
  label?: string | null;
  billingAddress?: IssueCardInput['billingAddress'];
  spendingLimit?: { amount: bigint; interval: SpendingInterval } | null;
  initialAmount?: bigint | null;
  idempotencyKey: string;
}

const MAX_LABEL = 64;

/**
 * Card lifecycle and loading. A card is a ledger account of its own; money moves onto it from
 * its wallet (CARD_FUNDING) and back (CARD_WITHDRAWAL) as ledger transfers, each giving the
 * wallet and the card a row. Issuer calls happen outside database transactions; if the issuer
 * refuses or is unreachable, our state does not change.
 */
export class CardService {
  readonly repo = new CardRepository();

  constructor(
    readonly issuer: CardIssuer,
    private readonly ledger: LedgerService,
    private readonly wallets: WalletService,
    private readonly transactions: TransactionRepository,
    private readonly idempotency: IdempotencyService,
    private readonly users: UserService,
    private readonly audit: AuditService,
  ) {}

  /** The viewer's card, or NOT_FOUND: another user's card looks exactly like a missing one. */
  async getOwned(em: EntityManager, userId: string, cardId: string): Promise<Card> {
    const card = await this.findOwned(em, userId, cardId);
    if (!card) throw new CardException(CardError.CardNotFound);
    return card;
  }

  /** getOwned, but an id that is not a UUID is the caller's mistake: BAD_USER_INPUT on `field`. */
  async getOwnedById(em: EntityManager, userId: string, cardId: string, field: string): Promise<Card> {
    if (!isUuid(cardId)) throw new CardException(CardError.MalformedId, { field });
    return this.getOwned(em, userId, cardId);
  }

  async findOwned(em: EntityManager, userId: string, cardId: string): Promise<Card | null> {
    if (!isUuid(cardId)) return null;
    const card = await this.repo.find(em, cardId);
    return card && card.userId === userId ? card : null;
  }

  async create(em: EntityManager, actor: Actor, input: CreateCardInput): Promise<{ cardId: string; fundingTransactionId: string | null }> {
    const label = input.label?.trim() || null;
    if (label && label.length > MAX_LABEL) throw new CardException(CardError.LabelTooLong);
    const request = {
      userId: actor.userId,
      key: input.idempotencyKey,
      operation: 'createCard',
      input: {
        walletId: input.walletId,
        label,
        spendingLimit: input.spendingLimit ? { amount: input.spendingLimit.amount.toString(), interval: input.spendingLimit.interval } : null,
        initialAmount: input.initialAmount?.toString() ?? null,
        billingAddress: input.billingAddress ?? null,
      },
    };
    const wallet = await this.wallets.getOwned(em, actor.userId, input.walletId);
    let issued: IssuedCard | null = null;
    // The same request always names the same card, so an issuer that keys its idempotency on
    // our id (Stripe) hands back the card it already made when a timed-out request is retried.
    const cardId = cardIdFor(actor.userId, input.idempotencyKey);
    // A repeat of a recorded request replays it; only a new one asks the issuer for a card.
    if (!(await this.idempotency.seen(em, request))) {
      if (!this.issuer.currencies().includes(wallet.currency)) throw new CardException(CardError.UnsupportedCurrency);
      if (this.issuer.requires.billingAddress && !input.billingAddress) throw new CardException(CardError.BillingAddressRequired);
      const user = await this.users.findByIds(em, [actor.userId]);
      try {
        issued = await this.issuer.issue({
          cardId,
          userId: actor.userId,
          currency: wallet.currency,
          cardholderName: user[0]!.fullName,
          email: user[0]!.email,
          billingAddress: input.billingAddress,
        });
      } catch (err) {
        throw issuerFailure(err);
      }
    }
    // Issuers that keep the balance (Flutterwave) are funded before our ledger moves.
    let told = false;
    if (issued && input.initialAmount && this.keepsBalance()) {
      const [account] = await this.ledger.findAccounts(em, [wallet.id]);
      if (account && available(account) >= input.initialAmount) {
        await this.tellIssuer('CARD_FUNDING', issued.issuerCardId, input.initialAmount, wallet.currency);
        told = true;
      }
    }
    let moved = false;
    const result = await this.runThenUndo(
      () => told,
      () => moved,
      () => this.undoIssuer(em, actor, 'CARD_FUNDING', issued!.issuerCardId, input.initialAmount!, wallet.currency, cardId),
      () => this.idempotency.run(em, request, async (tx) => {
        if (!issued) throw new IdempotencyException(IdempotencyError.KeyInProgress);
        const card = await this.repo.insert(tx, {
          id: cardId,
          userId: actor.userId,
          walletId: wallet.id,
          issuer: this.issuer.name,
          issuerCardId: issued.issuerCardId,
          brand: issued.brand,
          last4: issued.last4,
          expMonth: issued.expMonth,
          expYear: issued.expYear,
          label,
          currency: wallet.currency,
          spendingLimit: input.spendingLimit ?? null,
        });
        // The issuer holds the balance but was not funded (the wallet looked short): refuse.
        if (input.initialAmount && this.keepsBalance() && !told) throw new WalletException(WalletError.InsufficientFunds);
        const fundingTransactionId = input.initialAmount
          ? await this.move(tx, actor.userId, { walletId: wallet.id, cardId, currency: wallet.currency }, input.initialAmount, 'CARD_FUNDING')
          : null;
        // Announced as it commits: loaded (the load's version), or empty at version 0.
        if (!fundingTransactionId) noteAccountState(card.account);
        await this.audit.record(tx, {
          userId: actor.userId,
          action: 'createCard',
          outcome: 'COMPLETED',
          requestId: actor.requestId,
          ip: actor.ip,
          details: { cardId, issuer: this.issuer.name, initialAmount: input.initialAmount ?? null },
        });
        moved = true;
        return { cardId, fundingTransactionId };
      }),
    );
    return result;
  }

  /** Wallet to card (CARD_FUNDING) or card to wallet (CARD_WITHDRAWAL); returns the card's row. */
  async load(
    em: EntityManager,
    actor: Actor,
    direction: 'CARD_FUNDING' | 'CARD_WITHDRAWAL',
    input: { cardId: string; amount: bigint; idempotencyKey: string },
  ): Promise<string> {
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
      const card = await this.getOwned(em, actor.userId, input.cardId);
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
    return this.runThenUndo(
      () => told !== null,
      () => moved,
      () => this.undoIssuer(em, actor, direction, told!.issuerCardId, input.amount, told!.currency, input.cardId),
      () => this.idempotency.run(em, request, async (tx) => {
        // The card row locked, as terminate locks it: a termination that commits meanwhile is
        // seen here, and its sweep is never followed by money moving onto the terminated card.
        const card = (await this.repo.lock(tx, (await this.getOwned(tx, actor.userId, input.cardId)).id))!;
        if (card.status === 'TERMINATED') throw new CardException(CardError.CardTerminated);
        if (direction === 'CARD_FUNDING' && card.status !== 'ACTIVE') throw new CardException(CardError.CardNotActive);
        if (this.keepsBalance() && !told) throw new WalletException(WalletError.InsufficientFunds);
        const id = await this.move(tx, actor.userId, { walletId: card.walletId, cardId: card.id, currency: card.account.currency }, input.amount, direction);
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
  }

  /** True for issuers that keep the card balance themselves (Flutterwave). */
  private keepsBalance(): boolean {
    return Boolean(this.issuer.fund && this.issuer.withdraw);
  }

  private async tellIssuer(direction: 'CARD_FUNDING' | 'CARD_WITHDRAWAL', issuerCardId: string, amount: bigint, currency: string): Promise<void> {
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
  private async runThenUndo<T>(told: () => boolean, ran: () => boolean, undo: () => Promise<void>, body: () => Promise<T>): Promise<T> {
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

  private async undoIssuer(
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

  async setStatus(em: EntityManager, actor: Actor, cardId: string, target: 'ACTIVE' | 'FROZEN' | 'TERMINATED'): Promise<Card> {
    const card = await this.getOwned(em, actor.userId, cardId);
    if (card.status === 'TERMINATED') {
      // Terminating again returns it unchanged; nothing can bring it back.
      if (target === 'TERMINATED') return card;
      throw new CardException(CardError.CardTerminated);
    }
    if (card.status === target) return card;
    // The issuer first: if it cannot follow, our state does not change.
    try {
      await this.issuer.setStatus(card.issuerCardId, target);
    } catch (err) {
      throw new CardException(CardError.IssuerUnavailable, undefined, { cause: err });
    }
    await em.transactional(async (tx) => {
      const locked = await this.repo.lock(tx, card.id);
      if (!locked || locked.status === 'TERMINATED') return;
      await this.repo.update(tx, card.id, { status: target });
      if (target === 'TERMINATED') await this.sweepToWallet(tx, locked);
      await this.audit.record(tx, {
        userId: actor.userId,
        action: target === 'TERMINATED' ? 'terminateCard' : target === 'FROZEN' ? 'freezeCard' : 'unfreezeCard',
        outcome: 'COMPLETED',
        requestId: actor.requestId,
        ip: actor.ip,
        details: { cardId: card.id },
      });
    });
    return this.getOwned(em, actor.userId, cardId);
  }

  async setSpendingLimit(
    em: EntityManager,
    actor: Actor,
    cardId: string,
    limit: { amount: bigint; interval: SpendingInterval } | null,
  ): Promise<Card> {
    const card = await this.getOwned(em, actor.userId, cardId);
    if (card.status === 'TERMINATED') throw new CardException(CardError.CardTerminated);
    await em.transactional((tx) => this.repo.update(tx, card.id, { spendingLimit: limit }));
    return this.getOwned(em, actor.userId, cardId);
  }

  async reveal(em: EntityManager, actor: Actor, cardId: string, nonce?: string | null): Promise<CardReveal> {
    const card = await this.getOwned(em, actor.userId, cardId);
    if (card.status === 'TERMINATED') throw new CardException(CardError.CardTerminated);
    if (this.issuer.requires.revealNonce && !nonce) throw new CardException(CardError.NonceRequired);
    try {
      return await this.issuer.reveal({ id: card.id, issuerCardId: card.issuerCardId }, nonce);
    } catch (err) {
      if (err instanceof RevealUnsupportedError) throw new CardException(CardError.RevealUnsupported);
      throw new CardException(CardError.IssuerUnavailable, undefined, { cause: err });
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

  /** One ledger transfer between a card and its wallet, with a row for each side. */
  private async move(
    tx: EntityManager,
    userId: string,
    accounts: { walletId: string; cardId: string; currency: string },
    amount: bigint,
    type: Extract<TransactionType, 'CARD_FUNDING' | 'CARD_WITHDRAWAL'>,
  ): Promise<string> {
    const funding = type === 'CARD_FUNDING';
    const [debit, credit] = funding ? [accounts.walletId, accounts.cardId] : [accounts.cardId, accounts.walletId];
    await tx.execute('select id from ledger_accounts where id in (?, ?) order by id for update', [debit, credit]);
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
      { userId, accountId: debit, transferId, type, status: 'COMPLETED', direction: 'DEBIT', amount, currency: accounts.currency, reference },
      { userId, accountId: credit, transferId, type, status: 'COMPLETED', direction: 'CREDIT', amount, currency: accounts.currency, reference },
    ]);
    return rows.find((r) => r.accountId === accounts.cardId)!.id;
  }
}

/** A uuid (version 4 layout) derived from the user and the idempotency key. */
export function cardIdFor(userId: string, idempotencyKey: string): string {
  const h = createHash('sha256').update(`card\n${userId}\n${idempotencyKey}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The issuer clearly refused (a 4xx, or an answer that says so): the caller's input; anything else: it could not be reached. */
function issuerFailure(err: unknown): CardException {
  if (err instanceof ProviderError && err.definite) return new CardException(CardError.IssuerRefused, { issuerMessage: err.message });
  return new CardException(CardError.IssuerUnavailable, undefined, { cause: err });
}
