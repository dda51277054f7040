import { graphql } from './gql';

/**
 * The documents every screen shares. Screens keep their own operations next to them; all are
 * typed by GraphQL Code Generator from schema.graphql (`npm run codegen`, into src/gql).
 */

export const MoneyFields = graphql(`
  fragment MoneyFields on Money {
    amount
    currency
  }
`);

export const WalletFields = graphql(`
  fragment WalletFields on Wallet {
    id
    currency
    version
    updatedAt
    balance {
      ...MoneyFields
    }
    availableBalance {
      ...MoneyFields
    }
    pendingDebits {
      ...MoneyFields
    }
  }
`);

export const Currencies = graphql(`
  query Currencies {
    currencies {
      code
      exponent
      name
      symbol
    }
  }
`);

export const Wallets = graphql(`
  query Wallets {
    me {
      id
      email
      fullName
      emailVerified
      wallets {
        ...WalletFields
      }
    }
  }
`);

/** Every change of the viewer's balances, as it commits; merged into the cache by version. */
export const BalanceUpdated = graphql(`
  subscription BalanceUpdated {
    balanceUpdated {
      ...WalletFields
    }
  }
`);

/** A session as signUp, logIn and refreshToken give it (kept by session.ts). */
export const SessionFields = graphql(`
  fragment SessionFields on AuthPayload {
    accessToken
    refreshToken
    expiresAt
    user {
      id
      email
      fullName
    }
  }
`);

/**
 * Redeems an emailed link's token, or (signed in) the 6-digit code of the same email. Signed in
 * as the account's owner, the account comes back and is written into the cache (emailVerified,
 * and the new address after an email change).
 */
export const VerifyEmail = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(input: { token: $token }) {
      email
      emailChanged
      user {
        id
        email
        emailVerified
      }
    }
  }
`);
