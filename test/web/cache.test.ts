import { gql } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { VersionedCache } from '../../web/src/cache.js';

/** The web app's cache keeps the newer version of a Wallet or Card, and reports a gap. */
const WALLET = gql`
  query W {
    wallet {
      id
      version
      balance {
        amount
      }
    }
  }
`;
const wallet = (version: number, amount: string) => ({
  wallet: { __typename: 'Wallet', id: 'w1', version, balance: { __typename: 'Money', amount } },
});

describe('VersionedCache', () => {
  it('lets a newer version in, keeps the held one against an older, and reports a skipped version', () => {
    const gaps: string[] = [];
    const cache = new VersionedCache({}, (typename, id) => gaps.push(`${typename}:${id}`));
    const read = () => cache.readQuery<ReturnType<typeof wallet>>({ query: WALLET })!.wallet;
    cache.writeQuery({ query: WALLET, data: wallet(3, '300') });
    cache.writeQuery({ query: WALLET, data: wallet(4, '400') });
    expect(read()).toMatchObject({ version: 4, balance: { amount: '400' } });
    // An answer that left the server before version 4's event: ignored.
    cache.writeQuery({ query: WALLET, data: wallet(2, '200') });
    expect(read()).toMatchObject({ version: 4, balance: { amount: '400' } });
    expect(gaps).toEqual([]);
    // Version 5 never came: 6 is applied and the gap reported.
    cache.writeQuery({ query: WALLET, data: wallet(6, '600') });
    expect(read()).toMatchObject({ version: 6, balance: { amount: '600' } });
    expect(gaps).toEqual(['Wallet:w1']);
  });
});
