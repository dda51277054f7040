import { Migration } from '@mikro-orm/migrations';
import { WALLET_TRANSFER_V2 } from './Migration20261128080000_transfer_function_v2.js';

/**
 * The daily outflow limit, decided under one lock per user and currency (issue 13).
 *
 * Transfers and withdrawals lock the sender's wallet; card purchases lock the card and the
 * issuing account. Each read the day's total under its own locks, so a card purchase and a
 * transfer of one user could both read the same total and together pass the limit.
 *
 * `outflow_today(user, currency)` is now the one home of that rule: it takes a transaction-level
 * advisory lock for the user and currency, then sums what the day's limit counts (outgoing
 * transfers, withdrawals and card purchases, held or done, since 00:00 UTC). Every path that
 * decides an outflow against the limit calls it (wallet_transfer here, MonitoringService for
 * withdrawals and card purchases) and keeps the lock until it commits, so the next decision
 * for that user and currency waits and then sees the movement. Each caller takes it after the
 * rows it locks and waits for nothing after it, so it adds no deadlock. Its sum runs after the
 * lock is granted, in a snapshot of its own (the function is volatile): it sees what committed
 * while it waited.
 *
 * wallet_transfer, third version: as the second, with its copy of the sum replaced by the call.
 */
const OUTFLOW_LOCK_CLASS = 0x6f7574; // 'out': a key space of its own among advisory locks

/** outflow_today as this migration created it (Migration20261206010000 replaces it; its down() restores this). */
export const OUTFLOW_TODAY = `
  create or replace function outflow_today(p_user uuid, p_currency text) returns bigint
  language plpgsql volatile as $fn$
  declare
    v_used bigint;
  begin
    perform pg_advisory_xact_lock(${OUTFLOW_LOCK_CLASS}, hashtext(p_user::text || ':' || p_currency));
    select coalesce(sum(amount), 0) into v_used from transactions
    where user_id = p_user and currency = p_currency and direction = 'DEBIT'
      and type in ('TRANSFER', 'WITHDRAWAL', 'CARD_PURCHASE') and status in ('PENDING', 'COMPLETED')
      and created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc';
    return v_used;
  end
  $fn$;`;

/** The second version's own sum, replaced in the third by a call of outflow_today. */
const V2_DAILY_SUM = `            select coalesce(sum(amount), 0) into v_used from transactions
            where user_id = p_user and currency = v_sender.currency and direction = 'DEBIT'
              and type in ('TRANSFER', 'WITHDRAWAL', 'CARD_PURCHASE') and status in ('PENDING', 'COMPLETED')
              and created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc';`;

/** wallet_transfer as this migration creates it (Migration20261206010000's down() restores it). */
export function walletTransferV3(): string {
  if (!WALLET_TRANSFER_V2.includes(V2_DAILY_SUM)) throw new Error('wallet_transfer v2: the daily sum to replace is not where it was');
  return WALLET_TRANSFER_V2.replace(V2_DAILY_SUM, '            v_used := outflow_today(p_user, v_sender.currency);');
}

export class Migration20261206000000_outflow_lock extends Migration {
  override async up(): Promise<void> {
    this.addSql(OUTFLOW_TODAY);
    this.addSql(walletTransferV3());
  }

  override async down(): Promise<void> {
    this.addSql(WALLET_TRANSFER_V2);
    this.addSql('drop function outflow_today(uuid, text);');
  }
}
