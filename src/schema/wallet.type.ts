import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CurrencyCode } from '../domain/currencies/currency.service.js';
import type { LedgerAccount } from '../domain/ledger/ledger.service.js';
import { DateTimeScalar } from './scalars/date-time.scalar.js';

/** Money fields (balance, availableBalance, pendingDebits) and transactions are resolved in WalletResolver. */
@Directive('@cacheControl(scope: PRIVATE)')
@ObjectType('Wallet', {
  description: 'Money of one currency held for a user, as an account of the double-entry ledger; at most one per currency.',
})
export class WalletType {
  @Field(() => ID, { description: "The wallet's id." })
  id!: string;

  @Field(() => CurrencyCode, { description: 'Its currency, fixed when it was opened.' })
  currency!: CurrencyCode;

  @Field(() => Int, {
    description: "Grows by one with every change of this wallet's balance: clients drop events older than what they hold.",
  })
  version!: number;

  @Field(() => DateTimeScalar, { description: 'When it was opened.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { description: 'When its balance or holds last changed (or when it was opened).' })
  updatedAt!: Date;

  /** The ledger account behind it, for the money fields. */
  account!: LedgerAccount;

  static from(account: LedgerAccount): WalletType {
    return Object.assign(new WalletType(), {
      id: account.id,
      currency: account.currency as CurrencyCode,
      version: account.version,
      createdAt: account.createdAt,
      updatedAt: account.updatedAt,
      account,
    });
  }
}

@InputType({ description: 'The wallet to open.' })
export class CreateWalletInput {
  @Field(() => CurrencyCode, { description: 'A currency the viewer has no wallet in yet (BAD_USER_INPUT otherwise).' })
  currency!: CurrencyCode;
}

@ObjectType({ description: 'The result of createWallet.' })
export class CreateWalletPayload {
  @Field(() => WalletType, { description: 'The new wallet, empty.' })
  wallet!: WalletType;
}
