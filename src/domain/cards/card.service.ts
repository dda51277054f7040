import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RevealUnsupportedError, type CardIssuer, type CardReveal, type IssueCardInput, type IssuedCard } from '../../providers/card-issuer.js';
import { ProviderError } from '../../providers/payment-provider.js';
import type { AuditService } from '../audit/audit.service.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import { available, type LedgerService } from '../ledger/ledger.service.js';
import { noteAccountState } from '../ledger/ledger-changes.js';
import type { TransactionRecord, TransactionRepository } from '../transactions/transaction.repository.js';
import type { UserService } from '../users/user.service.js';
import { isUuid, type WalletService } from '../wallets/wallet.service.js';
import type { Actor } from '../wallets/transfer.service.js';
import { WalletError, WalletException } from '../wallets/wallets.errors.js';
import { IdempotencyError, IdempotencyException } from '../idempotency/idempotency.errors.js';
import type { CardFundingService } from './card-funding.service.js';
import { findOwnedCard, getOwnedCard } from './card-ownership.js';
import type { CardRepository, Card, SpendingInterval } from './card.repository.js';
import { CardError, CardException } from './cards.errors.js';

export interface CreateCardInput {
  walletId: string;
  label?: string | null;
  billingAddress?: IssueCardInput['billingAddress'];
  spendingLimit?: { amount: bigint; interval: SpendingInterval } | null;
  initialAmount?: bigint | null;
  idempotencyKey: string;
}

/** A card as its creation leaves it, with the row of its first load (null without one). */
export interface CardCreated {
  card: Card;
  fundingTransaction: TransactionRecord | null;
}

const MAX_LABEL = 64;

/**
 * Card lifecycle: issue (with an optional first load, through CardFundingService), freeze,
 * unfreeze, terminate (its balance swept back to the wallet), spending limits, reveal. A card is
 * a ledger account of its own. Issuer calls happen outside database transactions; if the issuer
 * refuses or is unreachable, our state does not change.
 */
export class CardService {
  constructor(
    readonly issuer: CardIssuer,
    readonly repo: CardRepository,
    private readonly funding: CardFundingService,
    private readonly ledger: LedgerService,
    private readonly transactions: TransactionRepository,
    private readonly wallets: WalletService,
    private readonly idempotency: IdempotencyService,
    private readonly users: UserService,
    private readonly audit: AuditService,
  ) {}

  /** The viewer's card, or NOT_FOUND: another user's card looks exactly like a missing one. */
  async getOwned(em: EntityManager, userId: string, cardId: string): Promise<Card> {
    return getOwnedCard(this.repo, em, userId, cardId);
  }

  /** getOwned, but an id that is not a UUID is the caller's mistake: BAD_USER_INPUT on `field`. */
  async getOwnedById(em: EntityManager, userId: string, cardId: string, field: string): Promise<Card> {
    if (!isUuid(cardId)) throw new CardException(CardError.MalformedId, { field });
    return this.getOwned(em, userId, cardId);
  }

  async findOwned(em: EntityManager, userId: string, cardId: string): Promise<Card | null> {
    return findOwnedCard(this.repo, em, userId, cardId);
  }

  /** Returns the card, and the row of its first load if it had one, as they are once it committed. */
  async create(em: EntityManager, actor: Actor, input: CreateCardInput): Promise<CardCreated> {
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
    if (issued && input.initialAmount && this.funding.keepsBalance()) {
      const [account] = await this.ledger.findAccounts(em, [wallet.id]);
      if (account && available(account) >= input.initialAmount) {
        await this.funding.tellIssuer('CARD_FUNDING', issued.issuerCardId, input.initialAmount, wallet.currency);
        told = true;
      }
    }
    let moved = false;
    const { fundingTransactionId } = await this.funding.runThenUndo(
      () => told,
      () => moved,
      () => this.funding.undoIssuer(em, actor, 'CARD_FUNDING', issued!.issuerCardId, input.initialAmount!, wallet.currency, cardId),
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
        if (input.initialAmount && this.funding.keepsBalance() && !told) throw new WalletException(WalletError.InsufficientFunds);
        const fundingTransactionId = input.initialAmount
          ? await this.funding.move(tx, actor.userId, { walletId: wallet.id, cardId, currency: wallet.currency }, input.initialAmount, 'CARD_FUNDING')
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
    const [card, loads] = await Promise.all([
      this.getOwned(em, actor.userId, cardId),
      fundingTransactionId ? this.transactions.findByIds(em, [fundingTransactionId]) : [],
    ]);
    return { card, fundingTransaction: loads[0] ?? null };
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
      if (target === 'TERMINATED') await this.funding.sweepToWallet(tx, locked);
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
