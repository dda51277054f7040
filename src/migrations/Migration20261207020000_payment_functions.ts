import { Migration } from '@mikro-orm/migrations';
import { functionSql } from '../db/functions.js';

/**
 * Money in and out in one round trip per step (issue 19), as transfers are:
 * - `system_account` (src/db/functions/system_account.v1.sql): a system account's shard, opened
 *   when missing, for LedgerService.systemAccount and the functions below;
 * - `payment_json` (payment_json.v1.sql): a payments row as JSON;
 * - `idempotency_refusal` (idempotency_refusal.v1.sql): a business refusal recorded on the key;
 * - `webhook_event_record` (webhook_event_record.v1.sql): a provider's event recorded once;
 * - `provider_fee` (provider_fee.v1.sql): a provider's fee from settlement to fees;
 * - `resolve_pending` (resolve_pending.v1.sql): a hold posted or voided once, for
 *   LedgerService.resolvePending (cards) and payout_settle;
 * - `deposit_open` and `deposit_settle`: a deposit's PENDING rows, and its credit or failure;
 * - `withdraw_hold` and `payout_settle`: a withdrawal's hold and rows, and the payout's outcome
 *   (posted, voided or reversed).
 */
export class Migration20261207020000_payment_functions extends Migration {
  override async up(): Promise<void> {
    this.addSql(await functionSql('system_account', 1));
    this.addSql(await functionSql('payment_json', 1));
    this.addSql(await functionSql('idempotency_refusal', 1));
    this.addSql(await functionSql('webhook_event_record', 1));
    this.addSql(await functionSql('resolve_pending', 1));
    this.addSql(await functionSql('provider_fee', 1));
    this.addSql(await functionSql('deposit_open', 1));
    this.addSql(await functionSql('deposit_settle', 1));
    this.addSql(await functionSql('withdraw_hold', 1));
    this.addSql(await functionSql('payout_settle', 1));
  }

  override async down(): Promise<void> {
    this.addSql('drop function payout_settle(uuid, text, text, bigint, integer, jsonb, jsonb, jsonb);');
    this.addSql('drop function withdraw_hold(uuid, text, text, uuid, bigint, jsonb, jsonb, jsonb, text, integer, text, text);');
    this.addSql('drop function deposit_settle(uuid, boolean, text, bigint, integer, jsonb, jsonb, jsonb);');
    this.addSql('drop function deposit_open(uuid, text, text, uuid, bigint, jsonb, jsonb, text, text, text);');
    this.addSql('drop function provider_fee(payments, bigint, integer, jsonb);');
    this.addSql('drop function resolve_pending(uuid, boolean);');
    this.addSql('drop function webhook_event_record(jsonb);');
    this.addSql('drop function idempotency_refusal(uuid, text, jsonb, text, text);');
    this.addSql('drop function payment_json(payments);');
    this.addSql('drop function system_account(uuid, text, text, text, integer);');
  }
}
