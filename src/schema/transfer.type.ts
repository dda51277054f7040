import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { MinorUnitsScalar } from './scalars/minor-units.scalar.js';
import { TransactionType } from './transaction.type.js';
import { WalletType } from './wallet.type.js';

@InputType()
export class TransferInput {
  @Field(() => ID)
  fromWalletId!: string;

  @Field(() => String, {
    description: 'The recipient is credited in the same currency, in a wallet created for them if they have none.',
  })
  recipientEmail!: string;

  @Field(() => MinorUnitsScalar)
  amount!: bigint;

  @Field(() => String, { nullable: true })
  note?: string | null;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType()
export class TransferPayload {
  @Field(() => TransactionType, { description: "The sender's side." })
  transaction!: TransactionType;

  @Field(() => WalletType)
  wallet!: WalletType;
}
