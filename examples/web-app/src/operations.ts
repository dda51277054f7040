import { graphql } from './gql/index.js';

/**
 * An app's operations, written with the generated `graphql()` function: each document is
 * typed from schema.graphql (result and variables), so a renamed field fails to compile.
 */

export const MoneyFields = graphql(`
  fragment MoneyFields on Money {
    amount
    currency
    formatted
  }
`);

export const WalletFields = graphql(`
  fragment WalletFields on Wallet {
    id
    currency
    version
    balance { ...MoneyFields }
    availableBalance { ...MoneyFields }
  }
`);

export const SignUp = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      accessToken
      refreshToken
      expiresAt
      user { id email fullName }
    }
  }
`);

export const Refresh = graphql(`
  mutation Refresh($refreshToken: String!) {
    refreshToken(input: { refreshToken: $refreshToken }) { accessToken refreshToken expiresAt }
  }
`);

export const Home = graphql(`
  query Home($withCards: Boolean! = false) {
    me {
      id
      fullName
      wallets { ...WalletFields }
      cards @include(if: $withCards) { id status last4 }
    }
  }
`);

export const CreateWallet = graphql(`
  mutation CreateWallet($currency: Currency!) {
    createWallet(input: { currency: $currency }) {
      wallet { id }
      viewer { id wallets { ...WalletFields } }
    }
  }
`);

export const Transfer = graphql(`
  mutation Transfer($input: TransferInput!) {
    transfer(input: $input) {
      transaction { id status amount { ...MoneyFields } }
      wallet { ...WalletFields }
    }
  }
`);

export const History = graphql(`
  query History($first: Int, $after: String) {
    transactions(first: $first, after: $after) {
      edges { cursor node { id type direction status amount { ...MoneyFields } createdAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const BalanceUpdated = graphql(`
  subscription BalanceUpdated($walletId: ID) {
    balanceUpdated(walletId: $walletId) { ...WalletFields }
  }
`);
