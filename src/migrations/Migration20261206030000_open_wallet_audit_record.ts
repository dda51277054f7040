import { Migration } from '@mikro-orm/migrations';
import { functionSql } from '../db/functions.js';

/**
 * Two more rules with one home (issue 13):
 * - `open_wallet` (src/db/functions/open_wallet.v1.sql) opens a user's wallet in a currency,
 *   for WalletService.create and for wallet_transfer's recipient;
 * - `audit_record` (audit_record.v1.sql) writes the audit row, for AuditService.record and for
 *   wallet_transfer's completed transfer.
 * wallet_transfer version 6 calls both, and gives each of its three fatal refusals a SQLSTATE of
 * its own (WA001 no wallet, WA002 no recipient, WA003 to oneself) instead of one code told apart
 * by its message.
 */
export class Migration20261206030000_open_wallet_audit_record extends Migration {
  override async up(): Promise<void> {
    this.addSql(await functionSql('open_wallet', 1));
    this.addSql(await functionSql('audit_record', 1));
    this.addSql(await functionSql('wallet_transfer', 6));
  }

  override async down(): Promise<void> {
    this.addSql(await functionSql('wallet_transfer', 5));
    this.addSql('drop function audit_record(uuid, text, text, text, text, jsonb);');
    this.addSql('drop function open_wallet(uuid, uuid, text);');
  }
}
