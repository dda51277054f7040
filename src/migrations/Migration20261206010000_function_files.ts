import { Migration } from '@mikro-orm/migrations';
import { functionSql } from '../db/functions.js';
import { LEDGER_ACCOUNT_JSON_V1, TRANSACTION_JSON_V1 } from './Migration20261128030000_transfer_function.js';
import { OUTFLOW_TODAY, walletTransferV3 } from './Migration20261206000000_outflow_lock.js';

/**
 * The SQL functions move to files of their own (issue 13): src/db/functions/<name>.v<N>.sql,
 * reviewed as diffs between versions, applied by a migration per change (src/db/functions.ts).
 * These first file versions are the functions as the earlier migrations made them, each as
 * `pg_get_functiondef` prints it with its body unindented: what PostgreSQL runs does not change.
 */
export class Migration20261206010000_function_files extends Migration {
  override async up(): Promise<void> {
    this.addSql(await functionSql('ledger_account_json', 2));
    this.addSql(await functionSql('transaction_json', 2));
    this.addSql(await functionSql('outflow_today', 2));
    this.addSql(await functionSql('wallet_transfer', 4));
  }

  override async down(): Promise<void> {
    this.addSql(LEDGER_ACCOUNT_JSON_V1);
    this.addSql(TRANSACTION_JSON_V1);
    this.addSql(OUTFLOW_TODAY);
    this.addSql(walletTransferV3());
  }
}
