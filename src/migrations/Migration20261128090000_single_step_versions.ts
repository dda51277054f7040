import { Migration } from '@mikro-orm/migrations';

/**
 * Versions step by exactly one per committed change a client can see (issue 11).
 * - `version_xid` is the transaction that made an account's current version: a transaction
 *   that touches an account again (a capture that voids its hold and posts what was taken,
 *   a card terminated and swept) steps the version once, not once per statement.
 * - A card's version was its row's counter plus its account's, so a change to both moved it
 *   by two. From now on it is its account's version alone (status, limit and label changes
 *   step the account too): the row's counter is added to the account's, so no card's version
 *   goes back, and zeroed, so a replica still running the old formula shows the same number.
 */
export class Migration20261128090000_single_step_versions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "ledger_accounts" add column "version_xid" xid8 null;`);
    this.addSql(`
      update "ledger_accounts" a set "version" = a."version" + c."version"
      from "cards" c where c."id" = a."id" and c."version" <> 0;`);
    this.addSql(`update "cards" set "version" = 0 where "version" <> 0;`);
  }

  override async down(): Promise<void> {
    // cards.version stays 0: the old formula (row + account) then gives the same versions.
    this.addSql(`alter table "ledger_accounts" drop column "version_xid";`);
  }
}
