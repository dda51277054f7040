import { Migration } from '@mikro-orm/migrations';
import { functionSql } from '../db/functions.js';

/**
 * One home for the balance guard and the postings (issue 13): `post_movement`
 * (src/db/functions/post_movement.v1.sql) moves money between two ledger accounts, and both
 * LedgerService.transfer (deposits, withdrawals, card loads and purchases) and wallet_transfer
 * (version 5) call it, so neither keeps a copy of the guarded UPDATE or of the positive-amount check.
 */
export class Migration20261206020000_post_movement extends Migration {
  override async up(): Promise<void> {
    this.addSql(await functionSql('post_movement', 1));
    this.addSql(await functionSql('wallet_transfer', 5));
  }

  override async down(): Promise<void> {
    this.addSql(await functionSql('wallet_transfer', 4));
    this.addSql('drop function post_movement(uuid, uuid, uuid, bigint, text, text, text, boolean);');
  }
}
