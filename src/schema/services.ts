import type { UserLimits } from '../cache/user-limits.js';
import type { LiveUpdates } from '../domain/events/live-updates.js';
import type { PlatformEvents } from '../domain/events/topics.js';
import type { AccountService } from '../domain/auth/account.service.js';
import type { AuthService } from '../domain/auth/auth.service.js';
import type { CardAuthorizationService } from '../domain/cards/card-authorization.service.js';
import type { CardSettlementService } from '../domain/cards/card-settlement.service.js';
import type { CardFundingService } from '../domain/cards/card-funding.service.js';
import type { CardService } from '../domain/cards/card.service.js';
import type { CurrencyService } from '../domain/currencies/currency.service.js';
import type { LedgerService } from '../domain/ledger/ledger.service.js';
import type { BankAccounts } from '../domain/payments/bank-accounts.js';
import type { DepositService } from '../domain/payments/deposit.service.js';
import type { WithdrawalService } from '../domain/payments/withdrawal.service.js';
import type { TransactionService } from '../domain/transactions/transaction.service.js';
import type { UserService } from '../domain/users/user.service.js';
import type { TransferService } from '../domain/wallets/transfer.service.js';
import type { WalletService } from '../domain/wallets/wallet.service.js';

/** The domain services, built once at boot and shared by every request. */
export interface Services {
  auth: AuthService;
  /** Verified emails, password reset, email change (and the mail they cause). */
  accounts: AccountService;
  users: UserService;
  currencies: CurrencyService;
  ledger: LedgerService;
  wallets: WalletService;
  transfers: TransferService;
  transactions: TransactionService;
  deposits: DepositService;
  withdrawals: WithdrawalService;
  bankAccounts: BankAccounts;
  cards: CardService;
  cardFunding: CardFundingService;
  cardPurchases: CardAuthorizationService;
  cardSettlements: CardSettlementService;
  events: PlatformEvents;
  /** Per-user rate limits on mutations, expensive queries and recipients (src/schema/user-limits.ts). */
  userLimits: UserLimits;
  /** What subscriptions listen to, checked when they start. */
  live: LiveUpdates;
  /**
   * Runs work that may move money and, once it has committed, makes the cached balances and
   * history pages it changed unreachable (before the mutation returns).
   */
  track<T>(work: () => Promise<T>): Promise<T>;
  /** The user's account changed (an address verified or changed, a password reset): their cached answers are not served again. */
  accountChanged(userId: string): Promise<void>;
}
