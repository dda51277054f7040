import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { MinorUnitsScalar } from './scalars/minor-units.scalar.js';
import { TransactionType } from './transaction.type.js';
import { WalletType } from './wallet.type.js';
import { IDEMPOTENCY_KEY } from './descriptions.js';

@InputType({ description: "Money from one of the viewer's wallets to another user." })
export class TransferInput {
  @Field(() => ID, { description: "One of the viewer's wallets; the money leaves it, in its currency." })
  fromWalletId!: string;

  @Field(() => String, {
    description: 'The recipient is credited in the same currency, in a wallet created for them if they have none.',
  })
  recipientEmail!: string;

  @Field(() => MinorUnitsScalar, { description: "Minor units of the wallet's currency." })
  amount!: bigint;

  @Field(() => String, {
    nullable: true,
    description: 'Shown to both sides as the description of their rows; at most 280 characters.',
  })
  note?: string | null;

  @Field(() => String, { description: IDEMPOTENCY_KEY })
  idempotencyKey!: string;
}

@ObjectType({ description: 'The result of transfer.' })
export class TransferPayload {
  @Field(() => TransactionType, { description: "The sender's side." })
  transaction!: TransactionType;

  @Field(() => WalletType, { description: "The sender's wallet after the transfer." })
  wallet!: WalletType;
}
