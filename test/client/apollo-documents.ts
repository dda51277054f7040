/**
 * The operations the Apollo Client suite sends, written as a frontend would: fragments shared
 * across operations (Money inside Wallet, Card and Transaction), `@include`/`@skip` driven by
 * variables, and result types declared beside each document (TypedDocumentNode).
 */
import { gql, type TypedDocumentNode } from '@apollo/client';
import type { CardStatus, Currency, TransactionDirection, TransactionStatus, TransactionType } from '../generated/graphql.js';

export interface Money {
  amount: string;
  currency: Currency;
  formatted: string;
}
export interface WalletParts {
  id: string;
  currency: Currency;
  version: number;
  balance: Money;
  availableBalance: Money;
}
export interface TransactionParts {
  id: string;
  type: TransactionType;
  status: TransactionStatus;
  direction: TransactionDirection;
  reference: string;
  failureReason: string | null;
  createdAt: string;
  amount: Money;
}
export interface CardParts {
  id: string;
  status: CardStatus;
  last4: string;
  version: number;
  balance: Money;
  availableBalance: Money;
}
export interface Connection {
  edges: { cursor: string; node: TransactionParts }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const MONEY = gql`
  fragment MoneyParts on Money {
    amount
    currency
    formatted
  }
`;

export const WALLET = gql`
  fragment WalletParts on Wallet {
    id
    currency
    version
    balance { ...MoneyParts }
    availableBalance { ...MoneyParts }
  }
  ${MONEY}
`;

export const TRANSACTION = gql`
  fragment TransactionParts on Transaction {
    id
    type
    status
    direction
    reference
    failureReason
    createdAt
    amount { ...MoneyParts }
  }
  ${MONEY}
`;

export const CARD = gql`
  fragment CardParts on Card {
    id
    status
    last4
    version
    balance { ...MoneyParts }
    availableBalance { ...MoneyParts }
  }
  ${MONEY}
`;

type AuthUser = { id: string; email: string; fullName: string };
type AuthPayload = { accessToken: string; refreshToken: string; expiresAt: string; user: AuthUser };

export const SIGN_UP: TypedDocumentNode<{ signUp: AuthPayload }, { input: { email: string; password: string; fullName: string } }> = gql`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { accessToken refreshToken expiresAt user { id email fullName } }
  }
`;

export const REFRESH: TypedDocumentNode<{ refreshToken: AuthPayload }, { refreshToken: string }> = gql`
  mutation Refresh($refreshToken: String!) {
    refreshToken(input: { refreshToken: $refreshToken }) { accessToken refreshToken expiresAt user { id email fullName } }
  }
`;

export const LOG_OUT: TypedDocumentNode<{ logOut: { revoked: boolean } }, Record<string, never>> = gql`
  mutation LogOut {
    logOut { revoked }
  }
`;

export type MeData = {
  me: (AuthUser & { wallets?: WalletParts[]; cards?: (CardParts & { label: string | null })[] }) | null;
};
/** The app's home screen: wallets by default, cards only when asked for. */
export const ME: TypedDocumentNode<MeData, { withWallets?: boolean; skipCards?: boolean }> = gql`
  query Me($withWallets: Boolean! = true, $skipCards: Boolean! = true) {
    me {
      id
      email
      fullName
      wallets @include(if: $withWallets) { ...WalletParts }
      cards @skip(if: $skipCards) { ...CardParts label }
    }
  }
  ${WALLET}
  ${CARD}
`;

export const CREATE_WALLET: TypedDocumentNode<{ createWallet: { wallet: WalletParts } }, { currency: Currency }> = gql`
  mutation CreateWallet($currency: Currency!) {
    createWallet(input: { currency: $currency }) { wallet { ...WalletParts } }
  }
  ${WALLET}
`;

export const DEPOSIT: TypedDocumentNode<
  { deposit: { checkoutUrl: string; transaction: TransactionParts } },
  { walletId: string; amount: string; key: string }
> = gql`
  mutation Deposit($walletId: ID!, $amount: MinorUnits!, $key: String!) {
    deposit(input: { walletId: $walletId, amount: $amount, idempotencyKey: $key }) {
      checkoutUrl
      transaction { ...TransactionParts }
    }
  }
  ${TRANSACTION}
`;

export const TRANSACTION_BY_ID: TypedDocumentNode<{ transaction: TransactionParts | null }, { id: string }> = gql`
  query Transaction($id: ID!) {
    transaction(id: $id) { ...TransactionParts }
  }
  ${TRANSACTION}
`;

export const TRANSFER: TypedDocumentNode<
  { transfer: { transaction: TransactionParts & { counterparty?: { id: string; fullName: string } | null }; wallet: WalletParts } },
  { fromWalletId: string; to: string; amount: string; key: string; withCounterparty: boolean }
> = gql`
  mutation Transfer($fromWalletId: ID!, $to: String!, $amount: MinorUnits!, $key: String!, $withCounterparty: Boolean!) {
    transfer(input: { fromWalletId: $fromWalletId, recipientEmail: $to, amount: $amount, idempotencyKey: $key }) {
      transaction {
        ...TransactionParts
        counterparty @include(if: $withCounterparty) { id fullName }
      }
      wallet { ...WalletParts }
    }
  }
  ${TRANSACTION}
  ${WALLET}
`;

export type HistoryVars = {
  first: number;
  after?: string | null;
  filter?: { types?: TransactionType[]; walletId?: string } | null;
};
export const HISTORY: TypedDocumentNode<{ transactions: Connection }, HistoryVars> = gql`
  query History($first: Int!, $after: String, $filter: TransactionFilter) {
    transactions(first: $first, after: $after, filter: $filter) {
      edges { cursor node { ...TransactionParts } }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${TRANSACTION}
`;

export const BALANCE_UPDATED: TypedDocumentNode<{ balanceUpdated: WalletParts }, { walletId?: string }> = gql`
  subscription BalanceUpdated($walletId: ID) {
    balanceUpdated(walletId: $walletId) { ...WalletParts }
  }
  ${WALLET}
`;

export const TRANSACTION_UPDATED: TypedDocumentNode<{ transactionUpdated: TransactionParts }, Record<string, never>> = gql`
  subscription TransactionUpdated {
    transactionUpdated { ...TransactionParts }
  }
  ${TRANSACTION}
`;

type CardWithWallet = CardParts & { wallet: WalletParts };

export const CREATE_CARD: TypedDocumentNode<
  { createCard: { card: CardWithWallet; fundingTransaction: TransactionParts | null } },
  { walletId: string; initialAmount?: string; label?: string; key: string }
> = gql`
  mutation CreateCard($walletId: ID!, $initialAmount: MinorUnits, $label: String, $key: String!) {
    createCard(input: { walletId: $walletId, initialAmount: $initialAmount, label: $label, idempotencyKey: $key }) {
      card { ...CardParts wallet { ...WalletParts } }
      fundingTransaction { ...TransactionParts }
    }
  }
  ${CARD}
  ${WALLET}
  ${TRANSACTION}
`;

export const FUND_CARD: TypedDocumentNode<
  { fundCard: { card: CardParts; wallet: WalletParts; transaction: TransactionParts } },
  { cardId: string; amount: string; key: string }
> = gql`
  mutation FundCard($cardId: ID!, $amount: MinorUnits!, $key: String!) {
    fundCard(input: { cardId: $cardId, amount: $amount, idempotencyKey: $key }) {
      card { ...CardParts }
      wallet { ...WalletParts }
      transaction { ...TransactionParts }
    }
  }
  ${CARD}
  ${WALLET}
  ${TRANSACTION}
`;

export const PURCHASE: TypedDocumentNode<
  { simulateCardPurchase: { card: CardParts; transaction: TransactionParts & { merchant: { name: string } | null } } },
  { cardId: string; amount: string; merchant: string; key: string }
> = gql`
  mutation Purchase($cardId: ID!, $amount: MinorUnits!, $merchant: String!, $key: String!) {
    simulateCardPurchase(input: { cardId: $cardId, amount: $amount, merchantName: $merchant, idempotencyKey: $key }) {
      card { ...CardParts }
      transaction { ...TransactionParts merchant { name } }
    }
  }
  ${CARD}
  ${TRANSACTION}
`;

type CardVars = { cardId: string; withWallet?: boolean };
/** freezeCard, unfreezeCard and terminateCard share a shape; the wallet comes along when its balance may change. */
function cardStatusMutation(field: 'freezeCard' | 'unfreezeCard' | 'terminateCard'): TypedDocumentNode<Record<string, { card: CardParts & { wallet?: WalletParts } }>, CardVars> {
  return gql`
    mutation ${field[0].toUpperCase() + field.slice(1)}($cardId: ID!, $withWallet: Boolean! = false) {
      ${field}(input: { cardId: $cardId }) {
        card { ...CardParts wallet @include(if: $withWallet) { ...WalletParts } }
      }
    }
    ${CARD}
    ${WALLET}
  `;
}
export const FREEZE_CARD = cardStatusMutation('freezeCard');
export const UNFREEZE_CARD = cardStatusMutation('unfreezeCard');
export const TERMINATE_CARD = cardStatusMutation('terminateCard');
