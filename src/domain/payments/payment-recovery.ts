import type { EntityManager } from '@mikro-orm/postgresql';
import { ProviderError, type DepositStatus, type PaymentProvider, type PayoutStatus } from '../../providers/payment-provider.js';
import type { Log } from '../shared/log.js';
import type { DepositService, PaymentSettings } from './deposit.service.js';
import { PaymentRepository, type Payment } from './payment.repository.js';
import type { WithdrawalService } from './withdrawal.service.js';

/**
 * The job of rule 8, on an interval and at start-up: sends payouts recorded but never sent,
 * settles sandbox payouts whose time has come and asks the provider about every PENDING payment
 * left waiting; unpaid checkouts expire. Leases in the payments table keep replicas apart.
 */
export class PaymentRecovery {
  private readonly payments = new PaymentRepository();

  constructor(
    private readonly provider: PaymentProvider,
    private readonly deposits: DepositService,
    private readonly withdrawals: WithdrawalService,
    private readonly settings: Pick<PaymentSettings, 'recheckAfterSeconds'> & { jobConcurrency: number },
    private readonly log: Log,
  ) {}

  /**
   * One batch; returns how many payments it looked at (the caller runs again while that is not
   * 0). Up to `jobConcurrency` payments of the batch are worked on at once, each with its own
   * EntityManager: each is leased to this run alone, and its settlement locks only its own rows
   * (its wallet and its settlement shard), so they do not wait for each other.
   */
  async runDue(em: EntityManager, batch = 20): Promise<number> {
    const due = await this.payments.leaseDue(em, batch, this.settings.recheckAfterSeconds);
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const payment = due[next++];
        try {
          await this.recheck(em.fork(), payment);
        } catch (err) {
          this.log.error({ err, reference: payment.reference }, 'payment recheck failed; it will be tried again');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.jobConcurrency, due.length) }, worker));
    return due.length;
  }

  private async recheck(em: EntityManager, payment: Payment): Promise<void> {
    if (payment.kind === 'WITHDRAWAL') {
      if (payment.attempts === 0) {
        // Recorded but never sent (the process stopped in between): send it now, same reference.
        const claimed = await this.payments.claimFirstAttempt(em, payment.id);
        if (claimed) await this.withdrawals.send(em, claimed);
        return;
      }
      let status: PayoutStatus;
      try {
        status = await this.provider.checkPayout(payment.reference);
      } catch (err) {
        // Asked again on the next run; the hold stays until the provider answers.
        this.log.warn({ err, reference: payment.reference }, 'payout status could not be read; asking again later');
        status = { status: 'UNKNOWN' };
      }
      if (status.status === 'PENDING' || status.status === 'UNKNOWN') return;
      if (status.neverReceived) {
        // Our earlier call never arrived: send it again with the same reference; only a
        // definite refusal of that call voids the hold.
        this.log.warn({ reference: payment.reference }, 'the provider never received this payout; sending it again');
        await this.withdrawals.send(em, payment);
        return;
      }
      await this.withdrawals.settle(em, payment, status);
      return;
    }
    let status: DepositStatus | undefined;
    try {
      status = await this.provider.verifyDeposit(payment.reference);
    } catch (err) {
      if (!(err instanceof ProviderError && err.definite)) return;
    }
    if (status && status.status === 'SUCCEEDED' && (status.amount !== payment.amount || status.currency !== payment.currency)) {
      await this.deposits.flagMismatch(em, payment, status);
      return;
    }
    if (status && status.status !== 'PENDING') {
      await this.deposits.settle(em, payment, status);
    } else if (payment.expiresAt && payment.expiresAt <= new Date()) {
      await this.deposits.settle(em, payment, { status: 'FAILED', fee: 0n }, 'The checkout expired unpaid');
    }
  }
}
