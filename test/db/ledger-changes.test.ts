import { describe, expect, it } from 'vitest';
import type { CardRow } from '../../src/domain/cards/card.repository.js';
import {
  noteAccountChanged,
  noteAccountState,
  noteCardRow,
  noteHistoryChanged,
  trackLedgerChanges,
  type LedgerChanges,
} from '../../src/domain/ledger/ledger-changes.js';
import type { LedgerAccount } from '../../src/domain/ledger/ledger.service.js';

/**
 * What a piece of work reports as changed, for the caches to forget and the events to announce
 * once it has committed (src/domain/ledger/ledger-changes.ts). Pure bookkeeping: no database.
 */
const account = (over: Partial<LedgerAccount>): LedgerAccount => ({
  id: 'a1',
  kind: 'WALLET',
  userId: 'u1',
  currency: 'NGN',
  debitsPosted: 0n,
  creditsPosted: 0n,
  debitsPending: 0n,
  creditsPending: 0n,
  version: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});
const cardRow = (id: string, status: string) => ({ id, status }) as unknown as CardRow;

/** Runs `work` tracked; answers what `afterwards` was handed, or undefined when it was not called. */
async function track(work: () => Promise<unknown>): Promise<{ changes: LedgerChanges; succeeded: boolean } | undefined> {
  let seen: { changes: LedgerChanges; succeeded: boolean } | undefined;
  await trackLedgerChanges(work, async (changes, succeeded) => {
    seen = { changes, succeeded };
  }).catch(() => undefined);
  return seen;
}

describe('ledger changes', () => {
  it('keeps the newest version of each account, whatever order they are noted in, and marks its history changed', async () => {
    const seen = await track(async () => {
      noteAccountChanged('a1', 3);
      noteAccountChanged('a1', 2);
      noteAccountChanged('a2', 0);
    });
    expect(seen!.succeeded).toBe(true);
    expect([...seen!.changes.accounts]).toEqual([
      ['a1', 3],
      ['a2', 0],
    ]);
    expect([...seen!.changes.histories]).toEqual(['a1', 'a2']);
    expect(seen!.changes.owners.size).toBe(0);
  });

  it("keeps one state per version of a user's account, and none for system accounts", async () => {
    const seen = await track(async () => {
      noteAccountState(account({ version: 1, creditsPosted: 10n }));
      noteAccountState(account({ version: 2, creditsPosted: 25n }));
      noteAccountState(account({ id: 's1', kind: 'SETTLEMENT', userId: null, version: 7 }));
    });
    const { changes } = seen!;
    expect([...changes.accounts]).toEqual([
      ['a1', 2],
      ['s1', 7],
    ]);
    expect([...changes.states.keys()]).toEqual(['a1']);
    const versions = changes.states.get('a1')!;
    expect([...versions.keys()]).toEqual([1, 2]);
    expect(versions.get(1)!.account.creditsPosted).toBe(10n);
    expect(versions.get(2)!.account.creditsPosted).toBe(25n);
    expect(versions.get(2)!.card).toBeUndefined();
  });

  it('knows the owner of a state that committed on its own, and only of those', async () => {
    const seen = await track(async () => {
      noteAccountState(account({ id: 'a1' }), true);
      noteAccountState(account({ id: 'a2', userId: 'u2' }));
      noteAccountState(account({ id: 's1', kind: 'SETTLEMENT', userId: null }), true);
    });
    expect([...seen!.changes.owners]).toEqual([
      ['a1', { userId: 'u1', kind: 'WALLET' }],
      ['s1', { userId: null, kind: 'SETTLEMENT' }],
    ]);
  });

  it("attaches a card's row, as last read or written, to its account's later states only", async () => {
    const seen = await track(async () => {
      noteAccountState(account({ id: 'c1', kind: 'CARD', version: 1 }));
      noteCardRow(cardRow('c1', 'ACTIVE'));
      noteAccountState(account({ id: 'c1', kind: 'CARD', version: 2 }));
      noteCardRow(cardRow('c1', 'FROZEN'));
      noteAccountState(account({ id: 'c1', kind: 'CARD', version: 3 }));
      // A wallet whose id is a card's never carries a card row.
      noteCardRow(cardRow('w1', 'ACTIVE'));
      noteAccountState(account({ id: 'w1', kind: 'WALLET', version: 1 }));
    });
    const { states, cardRows } = seen!.changes;
    expect([1, 2, 3].map((v) => states.get('c1')!.get(v)!.card?.status)).toEqual([undefined, 'ACTIVE', 'FROZEN']);
    expect(states.get('w1')!.get(1)!.card).toBeUndefined();
    expect([...cardRows.keys()]).toEqual(['c1', 'w1']);
  });

  it('records history changes with their transaction and, when known, its owner', async () => {
    const seen = await track(async () => {
      noteHistoryChanged('a1');
      noteHistoryChanged('a2', 't2');
      noteHistoryChanged('a3', 't3', 'u3');
    });
    const { histories, transactions, owners, accounts } = seen!.changes;
    expect([...histories]).toEqual(['a1', 'a2', 'a3']);
    expect([...transactions]).toEqual(['t2', 't3']);
    expect([...owners]).toEqual([['t3', { userId: 'u3' }]]);
    expect(accounts.size).toBe(0);
  });

  it('hands over what failed work changed, as not succeeded, and lets its error through', async () => {
    const boom = new Error('rolled back');
    let seen: { accounts: number; succeeded: boolean } | undefined;
    const outcome = await trackLedgerChanges(
      async () => {
        noteAccountChanged('a1', 1);
        throw boom;
      },
      async (changes, succeeded) => {
        seen = { accounts: changes.accounts.size, succeeded };
      },
    ).catch((e: unknown) => e);
    expect(outcome).toBe(boom);
    expect(seen).toEqual({ accounts: 1, succeeded: false });
  });

  it("answers the work's result, and calls nobody when nothing changed", async () => {
    let calls = 0;
    const result = await trackLedgerChanges(async () => 42, async () => {
      calls++;
    });
    expect(result).toBe(42);
    expect(calls).toBe(0);
    expect(await track(async () => undefined)).toBeUndefined();
  });

  it('notes nothing outside tracked work', () => {
    expect(() => {
      noteAccountChanged('a1', 1);
      noteAccountState(account({}));
      noteCardRow(cardRow('c1', 'ACTIVE'));
      noteHistoryChanged('a1', 't1', 'u1');
    }).not.toThrow();
  });
});
