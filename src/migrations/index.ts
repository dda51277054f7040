import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261128000000_auth } from './Migration20261128000000_auth.js';
import { Migration20261128010000_ledger } from './Migration20261128010000_ledger.js';
import { Migration20261128020000_cards } from './Migration20261128020000_cards.js';
import { Migration20261128030000_transfer_function } from './Migration20261128030000_transfer_function.js';
import { Migration20261128040000_history_plan } from './Migration20261128040000_history_plan.js';
import { Migration20261128050000_outflow_indexes } from './Migration20261128050000_outflow_indexes.js';
import { Migration20261128060000_currency_row_locks } from './Migration20261128060000_currency_row_locks.js';
import { Migration20261128070000_ledger_reference_index } from './Migration20261128070000_ledger_reference_index.js';
import { Migration20261128080000_transfer_function_v2 } from './Migration20261128080000_transfer_function_v2.js';
import { Migration20261128090000_single_step_versions } from './Migration20261128090000_single_step_versions.js';
import { Migration20261206000000_outflow_lock } from './Migration20261206000000_outflow_lock.js';
import { Migration20261206010000_function_files } from './Migration20261206010000_function_files.js';
import { Migration20261206020000_money_primitives } from './Migration20261206020000_money_primitives.js';
import { Migration20261206030000_open_wallet_audit_record } from './Migration20261206030000_open_wallet_audit_record.js';
import { Migration20261206040000_representable_amounts } from './Migration20261206040000_representable_amounts.js';
import { Migration20261206050000_retention_indexes } from './Migration20261206050000_retention_indexes.js';
import { Migration20261207000000_account_recovery } from './Migration20261207000000_account_recovery.js';
import { Migration20261207010000_settlement_shards } from './Migration20261207010000_settlement_shards.js';
import { Migration20261207020000_payment_functions } from './Migration20261207020000_payment_functions.js';

/** Applied in this order; append new migrations, never edit applied ones. */
export const migrations: MigrationObject[] = [
  { name: 'Migration20261128000000_auth', class: Migration20261128000000_auth },
  { name: 'Migration20261128010000_ledger', class: Migration20261128010000_ledger },
  { name: 'Migration20261128020000_cards', class: Migration20261128020000_cards },
  { name: 'Migration20261128030000_transfer_function', class: Migration20261128030000_transfer_function },
  { name: 'Migration20261128040000_history_plan', class: Migration20261128040000_history_plan },
  { name: 'Migration20261128050000_outflow_indexes', class: Migration20261128050000_outflow_indexes },
  { name: 'Migration20261128060000_currency_row_locks', class: Migration20261128060000_currency_row_locks },
  { name: 'Migration20261128070000_ledger_reference_index', class: Migration20261128070000_ledger_reference_index },
  { name: 'Migration20261128080000_transfer_function_v2', class: Migration20261128080000_transfer_function_v2 },
  { name: 'Migration20261128090000_single_step_versions', class: Migration20261128090000_single_step_versions },
  { name: 'Migration20261206000000_outflow_lock', class: Migration20261206000000_outflow_lock },
  { name: 'Migration20261206010000_function_files', class: Migration20261206010000_function_files },
  { name: 'Migration20261206020000_money_primitives', class: Migration20261206020000_money_primitives },
  { name: 'Migration20261206030000_open_wallet_audit_record', class: Migration20261206030000_open_wallet_audit_record },
  { name: 'Migration20261206040000_representable_amounts', class: Migration20261206040000_representable_amounts },
  { name: 'Migration20261206050000_retention_indexes', class: Migration20261206050000_retention_indexes },
  { name: 'Migration20261207000000_account_recovery', class: Migration20261207000000_account_recovery },
  { name: 'Migration20261207010000_settlement_shards', class: Migration20261207010000_settlement_shards },
  { name: 'Migration20261207020000_payment_functions', class: Migration20261207020000_payment_functions },
];
