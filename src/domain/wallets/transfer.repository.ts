import type { EntityManager } from '@mikro-orm/postgresql';
import { prepared } from '../../db/prepared.js';
import type { Recorded, StoredKey } from '../idempotency/idempotency.repository.js';
import type { AccountRow } from '../ledger/ledger.repository.js';
import type { TransactionRow } from '../transactions/transaction.repository.js';

export interface TransferRecord {
  transactionId: string;
}

/** What wallet_transfer (src/db/functions/wallet_transfer.v6.sql) returns. */
export type TransferResult =
  /** The key was there already: its row as stored (found false when it vanished meanwhile). */
  | { replay: StoredKey<TransferRecord> & { found: boolean } }
  /** A refusal, recorded on the key. */
  | { result: Recorded<TransferRecord>; moved?: undefined }
  /** The money moved. */
  | { result: Recorded<TransferRecord>; moved: Moved };

export interface Moved {
  recipientUserId: string;
  debit: TransactionRow;
  creditTransactionId: string;
  debitAccount: AccountRow;
  creditAccount: AccountRow;
}

/** What wallet_transfer takes, in its order. */
export interface TransferCall {
  userId: string;
  key: string;
  fingerprint: string;
  fromWalletId: string;
  recipientEmail: string | null;
  amount: bigint;
  note: string | null;
  /** Limits, flag rules and the wording of refusals, as JSON. */
  rules: string;
  /** The ids and the reference the function gives what it writes, as JSON. */
  ids: string;
  requestId: string | null;
  ip: string | null;
}

const TRANSFER_SQL = 'select wallet_transfer(?, ?, ?, ?, ?, ?::bigint, ?, ?::jsonb, ?::jsonb, ?, ?) as r';

/**
 * The transfer's one statement, run on its own (it commits when it returns) and prepared once
 * per connection (src/db/prepared.ts).
 */
export class TransferRepository {
  async transfer(em: EntityManager, c: TransferCall): Promise<TransferResult> {
    const [{ r }] = await prepared<{ r: TransferResult }>(em, 'wallet_transfer', TRANSFER_SQL, [
      c.userId,
      c.key,
      c.fingerprint,
      c.fromWalletId,
      c.recipientEmail,
      c.amount.toString(),
      c.note,
      c.rules,
      c.ids,
      c.requestId,
      c.ip,
    ]);
    return r;
  }
}
