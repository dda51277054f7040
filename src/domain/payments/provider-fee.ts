import type { EntityManager } from '@mikro-orm/postgresql';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Payment } from './payment.repository.js';

/**
 * Rule 11: the provider's fee on a deposit or a payout moves from its settlement account to its
 * fees account, so the settlement account mirrors what the provider holds for us.
 */
export async function bookProviderFee(
  ledger: LedgerService,
  tx: EntityManager,
  payment: Pick<Payment, 'provider' | 'currency' | 'reference' | 'accountId'>,
  fee: bigint,
): Promise<void> {
  if (fee <= 0n) return;
  // The shards of the payment's own movement (both picked by its wallet), so a fee locks no other row.
  const fees = await ledger.systemAccount(tx, 'FEES', payment.provider, payment.currency, payment.accountId);
  const settlement = await ledger.systemAccount(tx, 'SETTLEMENT', payment.provider, payment.currency, payment.accountId);
  await ledger.transfer(tx, {
    debitAccountId: fees,
    creditAccountId: settlement,
    amount: fee,
    currency: payment.currency,
    code: 'FEE',
    reference: payment.reference,
  });
}
