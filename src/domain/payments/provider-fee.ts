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
  payment: Pick<Payment, 'provider' | 'currency' | 'reference'>,
  fee: bigint,
): Promise<void> {
  if (fee <= 0n) return;
  const fees = await ledger.systemAccount(tx, 'FEES', payment.provider, payment.currency);
  const settlement = await ledger.systemAccount(tx, 'SETTLEMENT', payment.provider, payment.currency);
  await ledger.transfer(tx, {
    debitAccountId: fees,
    creditAccountId: settlement,
    amount: fee,
    currency: payment.currency,
    code: 'FEE',
    reference: payment.reference,
  });
}
